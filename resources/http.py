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

    def __init__(self, response: httpx.Response, vendor: str = "vendor") -> None:
        self.response = response
        super().__init__(
            f"{vendor}: {response.request.method} {safe_url(response.request.url)} -> "
            f"{response.status_code}"
        )

    def spent(self) -> RetryableStatus:
        """The same refusal once no attempt is left (what the caller finally sees)."""
        spent = RetryableStatus(self.response)
        spent.args = (f"{self.args[0]} (retries spent)",)
        return spent

    @property
    def retry_after(self) -> float | None:
        value = self.response.headers.get("Retry-After")
        if value is None:
            return _hubspot_window(self.response.headers)
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


def _hubspot_window(headers: httpx.Headers) -> float | None:
    """HubSpot answers a 429 with its limits instead of Retry-After: with nothing left in the
    rolling window (X-HubSpot-RateLimit-Remaining 0) wait the window out
    (X-HubSpot-RateLimit-Interval-Milliseconds); with the per-second limit spent, a second."""
    try:
        if headers.get("X-HubSpot-RateLimit-Remaining") == "0":
            return int(headers["X-HubSpot-RateLimit-Interval-Milliseconds"]) / 1000
    except (KeyError, ValueError):
        return None
    if headers.get("X-HubSpot-RateLimit-Secondly-Remaining") == "0":
        return 1.0
    return None


class ApiError(Exception):
    """A request the vendor refused for good (4xx other than 429)."""

    def __init__(self, vendor: str, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.response = response  # for connectors that read the vendor's error shape
        # One line: a vendor's pretty-printed error body must not split a log or run failure.
        detail = " ".join(mask_text(response.text[:500]).split())
        super().__init__(
            f"{vendor}: {response.request.method} {safe_url(response.request.url)} -> "
            f"{response.status_code}: {detail}"
        )


class BrokenBody(Exception):
    """A 200 whose body is not the JSON we asked for: truncated, HTML, or the wrong shape.

    Retried like a 5xx: such bodies come from proxies and gateways cut off mid-answer, and the
    same request usually succeeds a moment later."""

    def __init__(self, vendor: str, response: httpx.Response, why: str) -> None:
        self.method = response.request.method
        self.url = safe_url(response.request.url)
        self.status_code = response.status_code
        super().__init__(
            f"{vendor}: {self.method} {self.url} -> {response.status_code} with an unreadable "
            f"body ({why})"
        )


def safe_url(url: httpx.URL) -> str:
    """scheme://host[:port]/path. The port stays (two sandboxes or a proxy differ only by it);
    the query string never: it can carry emails (e.g. HubSpot idProperty lookups)."""
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


def _backoff(exc: Exception) -> bool | float:
    if isinstance(exc, RetryableStatus):
        wait = exc.retry_after
        return True if wait is None else min(wait, MAX_RETRY_AFTER_SECONDS)
    return isinstance(exc, httpx.TransportError | BrokenBody)


def _parsed(vendor: str, response: httpx.Response, shape: Callable[[Any], bool]) -> Any:
    try:
        body = response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        head = " ".join(response.text[:40].split())
        raise BrokenBody(vendor, response, f"not JSON, {kind}: {head!r}") from None
    if not shape(body):
        raise BrokenBody(vendor, response, f"JSON of the wrong shape: a {type(body).__name__}")
    return body


def is_object(body: Any) -> bool:
    return isinstance(body, dict)


@dataclass
class CallStats:
    requests: int = 0
    retries: int = 0
    broken_bodies: int = 0
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

    def url_of(self, path: str) -> str:
        """The safe URL a path resolves to, for messages that must name the endpoint."""
        return safe_url(self._client.build_request("GET", path).url)

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call, retried on 429, 5xx and transport errors; a 4xx raises ApiError."""
        return self._call(method, path, None, kwargs)[0]

    def json(
        self, method: str, path: str, *, shape: Callable[[Any], bool] = is_object, **kwargs: Any
    ) -> Any:
        """The parsed body, which must satisfy `shape`; a 200 whose body is not JSON or fails
        `shape` is retried like a 5xx, and BrokenBody is raised once the attempts are spent."""
        return self._call(method, path, shape, kwargs)[1]

    def _call(
        self, method: str, path: str, shape: Callable[[Any], bool] | None, kwargs: dict[str, Any]
    ) -> tuple[httpx.Response, Any]:
        try:
            return self._attempts(method, path, shape, kwargs)
        except RetryableStatus as exc:
            # Only now are the retries spent; each retry's own log line says "retrying".
            raise exc.spent() from None

    def _attempts(
        self, method: str, path: str, shape: Callable[[Any], bool] | None, kwargs: dict[str, Any]
    ) -> tuple[httpx.Response, Any]:
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
                    log.warning(
                        "%s %s %s: %s, retrying",
                        self.vendor,
                        method,
                        safe_url(response.request.url),
                        code,
                    )
                    raise RetryableStatus(response, self.vendor)
                if code >= 400:
                    raise ApiError(self.vendor, response)
                if shape is None:
                    return response, None
                try:
                    return response, _parsed(self.vendor, response, shape)
                except BrokenBody as exc:
                    self.stats.broken_bodies += 1
                    log.warning("%s, retrying", exc)
                    raise
        raise AssertionError("unreachable: stamina re-raises the last error")


def make_transport(base_url: str, in_process: Callable[[], httpx.BaseTransport]):
    """The in-process sandbox for the reserved host, real HTTP for everything else."""
    return in_process() if httpx.URL(base_url).host == IN_PROCESS_HOST else None
