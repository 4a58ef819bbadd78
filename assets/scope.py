"""Which businesses and locations a run covers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from pipeline.extraction.landing import Scope
from pipeline.settings import selected_businesses
from pipeline.store.tenants import business_ids, locations
from resources.connector import VendorConnector
from resources.http import ApiClient


def in_scope() -> list[str]:
    known = business_ids()
    chosen = selected_businesses() or known
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise ValueError(f"BACKBONE_BUSINESSES names unknown businesses {unknown}; known: {known}")
    return sorted(chosen)


def location_scopes() -> list[Scope]:
    chosen = set(in_scope())
    return [
        Scope(loc.business_id, loc.location_id, loc.timezone)
        for loc in locations()
        if loc.business_id in chosen
    ]


def business_scopes() -> list[Scope]:
    """One scope per business, dated in its first location's time zone."""
    first: dict[str, Scope] = {}
    for scope in location_scopes():
        first.setdefault(scope.business_id, Scope(scope.business_id, None, scope.timezone))
    return list(first.values())


class Clients:
    """One API client per business for the length of a step, all closed at the end."""

    def __init__(self, connector: VendorConnector, stack: ExitStack) -> None:
        self._connector = connector
        self._stack = stack
        self._clients: dict[str, ApiClient] = {}

    def __call__(self, business_id: str) -> ApiClient:
        if business_id not in self._clients:
            client = self._connector.client(business_id)
            self._clients[business_id] = self._stack.enter_context(client)
        return self._clients[business_id]

    def stats(self, business_id: str | None = None) -> tuple[int, int]:
        """(requests, retries) of one business's client, or of all of them."""
        chosen = [
            client
            for business, client in self._clients.items()
            if business_id is None or business == business_id
        ]
        return sum(c.stats.requests for c in chosen), sum(c.stats.retries for c in chosen)


@contextmanager
def clients_for(connector: VendorConnector) -> Iterator[Clients]:
    with ExitStack() as stack:
        yield Clients(connector, stack)
