"""The Sandbox: one simulated Square + HubSpot + Xero world behind an httpx handler.

URL layout (each business is its own merchant / portal / organisation):
    /{business_id}/square/v2/...          Square Connect v2
    /{business_id}/hubspot/crm/v3/...     HubSpot CRM v3
    /{business_id}/xero/api.xro/2.0/...   Xero Accounting 2.0 (needs header xero-tenant-id)

Order of checks for every request: fault injection, vendor, auth (Bearer), business, Xero tenant,
route. Errors are always in the vendor's own shape.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from . import (
    booking,
    hubspot_api,
    hubspot_contacts_api,  # noqa: F401 - the hubspot_*_api modules register on hubspot_api.router
    hubspot_deals_api,  # noqa: F401
    hubspot_lists_api,  # noqa: F401
    hubspot_properties_api,  # noqa: F401
    hubspot_tasks_api,  # noqa: F401
    square_api,
    xero_api,
    xero_bank_api,  # noqa: F401 - registers PUT /BankTransactions, /BankTransfers
    xero_invoices_api,  # noqa: F401 - registers PUT/POST /Invoices, PUT /Payments
)
from .clock import resolve_now, to_ms
from .faults import FaultInjector, Faults, spoil
from .hubspot_limits import WINDOW_MS, is_search
from .hubspot_limits import headers as hubspot_limit_headers
from .hubspot_state import HubSpotState
from .persist import StateFile, plain, restore
from .routing import Route, Router
from .store import shared_world
from .web import (
    HUBSPOT,
    SQUARE,
    VENDORS,
    XERO,
    ApiError,
    Call,
    Reply,
    correlation_id,
    error_reply,
    to_response,
)
from .world import BUSINESSES

log = logging.getLogger(__name__)
T = TypeVar("T")

_ROUTERS: dict[str, Router] = {
    SQUARE: square_api.router,
    HUBSPOT: hubspot_api.router,
    XERO: xero_api.router,
}
# Prefix each vendor's own base path carries after /{business}/{vendor}; Xero's is stripped so
# its routes read like the spec ("/Invoices"), the others keep theirs ("/v2/...", "/crm/v3/...").
_XERO_BASE = "/api.xro/2.0"
_BEARER = re.compile(r"^Bearer\s+\S+", re.IGNORECASE)
_UNAUTHORIZED = {
    SQUARE: ("UNAUTHORIZED", "This request could not be authorized."),
    HUBSPOT: (
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
        "you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
    ),
    XERO: ("Unauthorized", "AuthenticationUnsuccessful"),
}
_CACHE_SIZE = 32


class Sandbox:
    """A deterministic simulator of the three vendors for the three demo businesses.

    Same (seed, now) -> byte-identical responses for the same request sequence. Thread-safe.
    """

    def __init__(
        self,
        now: datetime | None = None,
        faults: Faults | None = None,
        seed: int = 7,
        booking_modes: dict[str, str] | None = None,
        state_file: str | Path | None = None,
    ) -> None:
        self.now: datetime = resolve_now(now)
        self.now_ms: int = to_ms(self.now)
        self.seed = seed
        self.faults = faults if faults is not None else Faults.from_env()
        # How each Xero organisation books payouts (sandbox/booking.py); env unless given.
        self.booking = booking.parse(None) | (
            booking_modes if booking_modes is not None else booking.from_env(tuple(BUSINESSES))
        )
        self.world = shared_world(seed)  # immutable generated data; writes stay per Sandbox
        self.writes: list[dict[str, Any]] = []
        self._injector = FaultInjector(self.faults)
        self._writes_lock = threading.Lock()
        self._hubspot = {bid: HubSpotState() for bid in BUSINESSES}
        self._xero = {bid: xero_api.XeroState() for bid in BUSINESSES}
        self._cache: OrderedDict[object, Any] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._inputs_seen = 0  # batch inputs counted by the hubspot207 fault
        self._rejected: set[tuple[str, str]] = set()
        self._hubspot_calls: dict[str, int] = {}  # per portal, for the rate-limit headers
        # Writes kept across processes (sandbox/persist.py): the argument, else the env.
        self._state = StateFile(Path(state_file), seed) if state_file else StateFile.from_env(seed)
        if self._state is not None:
            with self._state.locked():
                self._reload_state()

    def __repr__(self) -> str:
        return f"Sandbox(now={self.now.isoformat()}, seed={self.seed}, faults={self.faults})"

    # -- public API ----------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """Requests handled so far (the counter faults are keyed on)."""
        return self._injector.count

    def transport(self) -> httpx.BaseTransport:
        """For a sync `httpx.Client(transport=sb.transport(), base_url=...)`."""
        return httpx.MockTransport(self.handle)

    def truth(self, business_id: str) -> dict[tuple[str, str], str]:
        """Ground truth identity: (source, source record id) -> person key.

        Sources: "square" (customer id), "hubspot" (contact id), "xero" (ContactID). Covers every
        generated person record, including ones not yet visible at the sandbox clock.
        """
        if business_id not in BUSINESSES:
            raise KeyError(business_id)
        return dict(self.world.pool(business_id).truth)

    def handle(self, request: httpx.Request) -> httpx.Response:
        decision = self._injector.next()
        if decision.sleep:
            time.sleep(decision.sleep)
        content = request.read()
        parts = request.url.path.split("/", 3)  # "", business, vendor, rest
        vendor = parts[2] if len(parts) > 2 and parts[2] in VENDORS else None
        correlation = correlation_id(request.method, request.url, content)
        try:
            reply = self._dispatch(request, content, parts, vendor, decision.error)
        except ApiError as err:
            reply = error_reply(vendor, err, correlation)
        except Exception:  # a sandbox bug must still answer in the vendor's shape
            log.exception("sandbox failed on %s %s", request.method, request.url)
            err = ApiError(500, "INTERNAL_SERVER_ERROR", "The sandbox failed on this request.")
            reply = error_reply(vendor, err, correlation)
        if vendor == HUBSPOT:
            self._hubspot_limits(parts, reply, decision.error)
        response = to_response(vendor, reply)
        return spoil(response, decision.spoil) if decision.spoil else response

    # -- services for the vendor modules -------------------------------------------------------

    def hubspot_state(self, business_id: str) -> HubSpotState:
        return self._hubspot[business_id]

    def xero_state(self, business_id: str) -> xero_api.XeroState:
        return self._xero[business_id]

    def reject_input(self, kind: str, key: str) -> bool:
        """Whether the hubspot207 fault fails this batch input: every Nth input counted over
        the Sandbox, never the same (kind, key) twice, so a retry of a failed input succeeds."""
        every = self.faults.hubspot_reject_every
        if not every:
            return False
        with self._writes_lock:
            if (kind, key) in self._rejected:
                return False
            self._inputs_seen += 1
            if self._inputs_seen % every:
                return False
            self._rejected.add((kind, key))
            return True

    def xero_booking(self, business_id: str) -> str:
        return self.booking[business_id]

    def cached(self, key: object, make: Callable[[], T]) -> T:
        """Small LRU for read-only listings: paging through a 120-day backfill should not
        re-filter and re-sort the whole window for every page. Safe because generated data
        and the clock never change within a Sandbox."""
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = make()
        with self._cache_lock:
            self._cache[key] = value
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    # -- request pipeline ----------------------------------------------------------------------

    def _dispatch(
        self,
        request: httpx.Request,
        content: bytes,
        parts: list[str],
        vendor: str | None,
        fault: str | None,
    ) -> Reply:
        if fault is not None:
            search = is_search(parts[3] if len(parts) > 3 else "")
            raise self._fault_error(vendor, fault, search)
        if vendor is None:
            raise ApiError(404, "NOT_FOUND", "Expected /{business}/{square|hubspot|xero}/...")
        if not _BEARER.match(request.headers.get("authorization", "")):
            code, message = _UNAUTHORIZED[vendor]
            raise ApiError(401, code, message)
        business = BUSINESSES.get(parts[1])
        if business is None:
            raise ApiError(404, "NOT_FOUND", f"Unknown business {parts[1]!r}")
        path = "/" + (parts[3] if len(parts) > 3 else "")
        if vendor == XERO:
            if request.headers.get("xero-tenant-id", "").strip() != business.xero_tenant_id:
                raise ApiError(403, "Forbidden", "AuthorizationUnsuccessful")
            if not path.lower().startswith(_XERO_BASE + "/"):
                raise ApiError(404, "NOT_FOUND", "The resource you're looking for cannot be found")
            path = path[len(_XERO_BASE) :]
        for status, missing in self.faults.missing:  # an account without this endpoint
            if path.rstrip("/") == missing:
                code = "INSUFFICIENT_SCOPES" if status == 403 else "NOT_FOUND"
                raise ApiError(status, code, f"This account cannot use {path}.")
        if path.rstrip("/") in self.faults.echo:
            # The bare credential, no "Bearer " before it: only a client that knows its
            # secret values (not one matching patterns) can keep this out of its logs.
            sent = request.headers.get("authorization", "").partition(" ")[2]
            raise ApiError(400, "BAD_REQUEST", f"Request rejected for credential {sent}")
        call = Call(
            vendor=vendor,
            business=business,
            method=request.method.upper(),
            path=path,
            url=request.url,
            headers=request.headers,
            content=content,
            params={k: request.url.params[k] for k in request.url.params},
        )
        route = _ROUTERS[vendor].resolve(call)
        if self._state is None or vendor == SQUARE:  # Square is read-only here
            return self._run(route, call)
        if not route.write:
            if self._state.changed():  # another Sandbox or process wrote since
                with self._state.locked():
                    self._reload_state()
            return route.handler(self, call)
        with self._state.locked():
            if self._state.changed():
                self._reload_state()
            reply = self._run(route, call)
            if reply.status < 400:
                self._state.save(self._vendor_states())
        return reply

    def _run(self, route: Route, call: Call) -> Reply:
        if not route.write:
            return route.handler(self, call)
        try:
            reply = route.handler(self, call)
        except ApiError as err:  # a rejected write is still a write call
            self._record_write(call, err.status, replayed=False)
            raise
        self._record_write(call, reply.status, reply.replayed)
        return reply

    def _vendor_states(self) -> dict[str, Any]:
        return {
            "hubspot": {bid: plain(state) for bid, state in self._hubspot.items()},
            "xero": {bid: plain(state) for bid, state in self._xero.items()},
        }

    def _reload_state(self) -> None:
        """Replace this Sandbox's write state with the file's (if there is one yet)."""
        assert self._state is not None
        saved = self._state.load()
        if saved is None:
            return
        for bid, fields in saved.get("hubspot", {}).items():
            if bid in self._hubspot:
                self._hubspot[bid] = restore(HubSpotState(), fields)
        for bid, fields in saved.get("xero", {}).items():
            if bid in self._xero:
                self._xero[bid] = restore(xero_api.XeroState(), fields)

    def _hubspot_limits(self, parts: list[str], reply: Reply, fault: str | None) -> None:
        """HubSpot's rate-limit headers on every answer but a search's (sandbox/hubspot_limits.py);
        a 429 fault's answer shows the window exhausted, a bare one shows nothing."""
        path = "/" + (parts[3] if len(parts) > 3 else "")
        if is_search(path) or fault == "429bare":
            return
        with self._writes_lock:
            calls = self._hubspot_calls[parts[1]] = self._hubspot_calls.get(parts[1], 0) + 1
        window = WINDOW_MS
        if self.faults.rate_limit_every:  # tests that meet 429s wait a short window
            window = self.faults.rate_limit_retry_after * 1000
        reply.headers.update(hubspot_limit_headers(calls, window, exhausted=fault == "429"))

    def _fault_error(self, vendor: str | None, fault: str, search: bool) -> ApiError:
        if fault == "503":
            return ApiError(503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable.")
        headers = {}
        if fault == "429" and vendor != HUBSPOT:  # HubSpot names its window in X-HubSpot-*
            headers["Retry-After"] = str(self.faults.rate_limit_retry_after)
        if vendor == XERO:
            headers["X-Rate-Limit-Problem"] = "minute"
        code = "SECONDLY" if vendor == HUBSPOT and search else "RATE_LIMITED"
        return ApiError(429, code, "Rate limit exceeded. Try again later.", headers=headers)

    def _record_write(self, call: Call, status: int, replayed: bool) -> None:
        try:  # what the vendor received, so tests count members, values and tasks sent
            body = call.json()
        except ApiError:
            body = call.content.decode("utf-8", "replace")
        entry = {
            "vendor": call.vendor,
            "business_id": call.business.id,
            "method": call.method,
            "path": call.path,
            "idempotency_key": call.headers.get("idempotency-key"),
            "at": self.now,
            "status": status,
            "replayed": replayed,
            "body": body,  # parsed JSON (decimals as Decimal); the raw text if not JSON
        }
        with self._writes_lock:
            self.writes.append(entry)
