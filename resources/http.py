"""One httpx base for every vendor: timeouts, retries that honour Retry-After, safe logging."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import stamina

from pipeline.kernel.normalize import mask_text
from pipeline.settings import IN_PROCESS_HOST

log = logging.getLogger("backbone.http")

MAX_RETRY_AFTER_SECONDS = 60.0


class RetryableStatus(Exception):
    """A 429 or 5xx: the vendor asks us to come back later."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        super().__init__(
            f"{response.request.method} {safe_url(response.request.url)} -> {response.status_code}"
        )

    @property
    def retry_after(self) -> float | None:
        value = self.response.headers.get("Retry-After")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        from datetime import UTC, datetime

        return max(0.0, (when - datetime.now(UTC)).total_seconds())


class ApiError(Exception):
    """A request the vendor refused for good (4xx other than 429)."""

    def __init__(self, vendor: str, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.response = response  # for connectors that read the vendor's error shape
        detail = mask_text(response.text[:500])
        super().__init__(
            f"{vendor}: {response.request.method} {safe_url(response.request.url)} -> "
            f"{response.status_code}: {detail}"
        )


def safe_url(url: httpx.URL) -> str:
    """Path only: query strings can carry emails (e.g. HubSpot idProperty lookups)."""
    return f"{url.scheme}://{url.host}{url.path}"


def _backoff(exc: Exception) -> bool | float:
    if isinstance(exc, RetryableStatus):
        wait = exc.retry_after
        return True if wait is None else min(wait, MAX_RETRY_AFTER_SECONDS)
    return isinstance(exc, httpx.TransportError)


@dataclass
class CallStats:
    requests: int = 0
    retries: int = 0
    by_status: dict[int, int] = field(default_factory=dict)


class ApiClient:
    """A vendor API client bound to one tenant (business)."""

    def __init__(
        self,
        vendor: str,
        base_url: str,
        headers: dict[str, str],
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        attempts: int = 8,
        wait_initial: float = 0.25,
        wait_max: float = 8.0,
    ) -> None:
        self.vendor = vendor
        self.attempts = attempts
        self.wait_initial = wait_initial
        self.wait_max = wait_max
        self.stats = CallStats()
        self._client = httpx.Client(
            base_url=base_url,
            headers=headers,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=10.0),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in stamina.retry_context(
            on=_backoff,
            attempts=self.attempts,
            timeout=300.0,
            wait_initial=self.wait_initial,
            wait_max=self.wait_max,
            wait_jitter=self.wait_initial,
        ):
            with attempt:
                if attempt.num > 1:
                    self.stats.retries += 1
                response = self._client.request(method, path, **kwargs)
                self.stats.requests += 1
                code = response.status_code
                self.stats.by_status[code] = self.stats.by_status.get(code, 0) + 1
                if code == 429 or code >= 500:
                    log.warning("%s %s: %s, retrying", self.vendor, safe_url(response.url), code)
                    raise RetryableStatus(response)
                if code >= 400:
                    raise ApiError(self.vendor, response)
                return response
        raise AssertionError("unreachable: stamina re-raises the last error")

    def json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.request(method, path, **kwargs).json()


def make_transport(base_url: str, in_process: Callable[[], httpx.BaseTransport]):
    """The in-process sandbox for the reserved host, real HTTP for everything else."""
    return in_process() if httpx.URL(base_url).host == IN_PROCESS_HOST else None
