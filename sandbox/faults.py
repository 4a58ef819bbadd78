"""Deterministic fault injection.

Faults are keyed to a counter over every request a Sandbox handles, not to randomness, so a test
knows exactly which request fails and a client's bounded retry always gets through: an error
fault never hits the request right after another error fault (for periods >= 2).

Spec string (also $BACKBONE_SANDBOX_FAULTS), comma separated:
    429=N[:S]    every Nth request -> 429 with Retry-After: S seconds (default 1)
    429bare=N    every Nth request -> 429 without Retry-After
    5xx=N        every Nth request -> 503 in the vendor's error shape
    slow=N:S     every Nth request sleeps S seconds before answering
    truncated=N  every Nth request's 200 body is cut in half (a proxy dropping the connection)
    html=N       every Nth request's 200 is an HTML error page instead of JSON (a gateway)
    404=/PATH    the account lacks this endpoint: every request to the vendor-relative PATH
                 (e.g. 404=/v2/disputes) -> 404 in the vendor's shape; 403=/PATH likewise,
                 as a missing permission. Repeatable.
    echo=/PATH   every request to the vendor-relative PATH -> 400 whose error message repeats
                 the credential of the request's Authorization header (a misbehaving gateway
                 or vendor that echoes what it was sent), so a client's secret redaction can
                 be proven.
                 Repeatable.
    pagesize=N   listings serve at most N records per page, whatever the client asks for
                 (vendors may cap pages below the requested size)
    malformed    page 1 of every record list carries one extra malformed record
    hubspot207=N every Nth input of HubSpot contact batch upserts and list membership adds
                 fails alone (a 207 error / a recordIdsMissing id), once: the same input
                 retried is accepted

Error and body faults (429, 429bare, 5xx, truncated, html) never hit two requests in a row
unless their period is 1: with period 1 the fault persists, as a broken endpoint would.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import httpx

FAULTS_ENV = "BACKBONE_SANDBOX_FAULTS"


@dataclass(frozen=True)
class Faults:
    rate_limit_every: int | None = None
    rate_limit_retry_after: int = 1
    rate_limit_bare_every: int | None = None
    unavailable_every: int | None = None
    slow_every: int | None = None
    slow_seconds: float = 0.0
    truncated_every: int | None = None
    html_every: int | None = None
    missing: tuple[tuple[int, str], ...] = ()  # (404 or 403, vendor-relative path)
    echo: tuple[str, ...] = ()  # vendor-relative paths answered with the echoed credential
    page_size: int | None = None
    malformed: bool = False
    hubspot_reject_every: int | None = None

    @classmethod
    def parse(cls, spec: str) -> Faults:
        values: dict[str, object] = {}
        missing: list[tuple[int, str]] = []
        echo: list[str] = []
        for raw in spec.split(","):
            item = raw.strip()
            if not item:
                continue
            if item == "malformed":
                values["malformed"] = True
                continue
            name, sep, arg = item.partition("=")
            name, arg = name.strip(), arg.strip()
            if not sep or not arg:
                raise ValueError(f"fault {item!r} needs a value, e.g. {name}=5")
            if name in ("404", "403"):
                if not arg.startswith("/"):
                    raise ValueError(f"fault {item!r} needs a path, e.g. {name}=/v2/disputes")
                missing.append((int(name), arg.rstrip("/") or "/"))
                values["missing"] = tuple(missing)
                continue
            if name == "echo":
                if not arg.startswith("/"):
                    raise ValueError(f"fault {item!r} needs a path, e.g. echo=/ManualJournals")
                echo.append(arg.rstrip("/") or "/")
                values["echo"] = tuple(echo)
                continue
            every, _, extra = arg.partition(":")
            n = _positive_int(every, item)
            if name == "429":
                values["rate_limit_every"] = n
                if extra:
                    values["rate_limit_retry_after"] = _non_negative_int(extra, item)
            elif name == "429bare" and not extra:
                values["rate_limit_bare_every"] = n
            elif name == "5xx" and not extra:
                values["unavailable_every"] = n
            elif name == "truncated" and not extra:
                values["truncated_every"] = n
            elif name == "html" and not extra:
                values["html_every"] = n
            elif name == "pagesize" and not extra:
                values["page_size"] = n
            elif name == "hubspot207" and not extra:
                values["hubspot_reject_every"] = n
            elif name == "slow":
                if not extra:
                    raise ValueError(f"fault {item!r} needs seconds, e.g. slow={n}:0.2")
                try:
                    seconds = float(extra)
                except ValueError:
                    raise ValueError(f"fault {item!r}: {extra!r} is not seconds") from None
                if not 0 <= seconds <= 60:
                    raise ValueError(f"fault {item!r}: seconds must be within 0..60")
                values["slow_every"], values["slow_seconds"] = n, seconds
            else:
                raise ValueError(f"unknown fault {item!r}")
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls) -> Faults:
        return cls.parse(os.environ.get(FAULTS_ENV, ""))

    @property
    def any(self) -> bool:
        return self != Faults()


def _positive_int(text: str, item: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"fault {item!r}: {text!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"fault {item!r}: period must be >= 1")
    return value


def _non_negative_int(text: str, item: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"fault {item!r}: {text!r} is not whole seconds") from None
    if value < 0:
        raise ValueError(f"fault {item!r}: Retry-After must be >= 0")
    return value


@dataclass(frozen=True)
class Decision:
    number: int  # 1-based request number
    error: str | None = None  # "429" | "429bare" | "503": answered instead of the request
    spoil: str | None = None  # "truncated" | "html": the request's own 200 body is spoiled
    sleep: float = 0.0


class FaultInjector:
    """Decides, per request, which fault (if any) applies. Thread-safe."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._lock = threading.Lock()
        self._count = 0
        self._previous_failed = False

    @property
    def count(self) -> int:
        return self._count

    def next(self) -> Decision:
        f = self.faults
        with self._lock:
            self._count += 1
            n = self._count
            fault = None
            for kind, every in (
                ("429", f.rate_limit_every),
                ("429bare", f.rate_limit_bare_every),
                ("503", f.unavailable_every),
                ("truncated", f.truncated_every),
                ("html", f.html_every),
            ):
                if every and n % every == 0 and (every == 1 or not self._previous_failed):
                    fault = kind
                    break
            self._previous_failed = fault is not None
        sleep = f.slow_seconds if f.slow_every and n % f.slow_every == 0 else 0.0
        if fault in SPOILS:
            return Decision(n, None, fault, sleep)
        return Decision(n, fault, None, sleep)


SPOILS = ("truncated", "html")
_GATEWAY_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    b"</center><hr><center>nginx</center></body></html>"
)


def spoil(response: httpx.Response, kind: str) -> httpx.Response:
    """A 200 whose body went wrong on the way: cut in half, or replaced by a gateway's HTML page
    (status still 200, as some proxies send). Other statuses pass through untouched."""
    if response.status_code != 200:
        return response
    headers = dict(response.headers)
    headers.pop("content-length", None)
    if kind == "truncated":
        half = response.content[: len(response.content) // 2]
        return httpx.Response(200, headers=headers, content=half)
    headers["content-type"] = "text/html"
    return httpx.Response(200, headers=headers, content=_GATEWAY_PAGE)
