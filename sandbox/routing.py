"""A tiny method + regex router shared by the vendor simulators."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .web import ApiError, Call, Reply

if TYPE_CHECKING:
    from .app import Sandbox

Handler = Callable[["Sandbox", Call], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    write: bool  # recorded in Sandbox.writes (SearchOrders is a POST but only reads)


class Router:
    def __init__(self, ignore_case: bool = False) -> None:
        self._routes: list[Route] = []
        self._flags = re.IGNORECASE if ignore_case else 0

    def add(
        self, method: str, pattern: str, *, write: bool = False
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._routes.append(
                Route(method, re.compile(f"^{pattern}$", self._flags), handler, write)
            )
            return handler

        return register

    def resolve(self, call: Call) -> Route:
        """The route for a call (path arguments stored on the call); 404/405 ApiError if none."""
        allowed = False
        for route in self._routes:
            match = route.pattern.match(call.path)
            if not match:
                continue
            if route.method != call.method:
                allowed = True
                continue
            call.path_args = match.groups()
            return route
        if allowed:
            raise ApiError(
                405, "METHOD_NOT_ALLOWED", f"{call.method} is not allowed on {call.path}"
            )
        raise ApiError(404, "NOT_FOUND", f"No resource at {call.path}")
