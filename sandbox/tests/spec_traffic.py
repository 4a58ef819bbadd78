"""Every request a client sends and every answer it gets, judged by the vendor's OpenAPI spec.

`RecordingTransport` wraps any httpx transport and keeps each exchange; `violations` replays
them through openapi-core against Square's `api.json` and Xero's `xero_accounting.yaml`: the
path and method must exist, query and header parameters and JSON bodies must match the
operation's schemas, and each 2xx answer must match the response schema. A request the spec has
no operation for is a violation too. So Backbone's outgoing calls and the simulator's answers
are both held to the vendors' own documents, not to our reading of them.

The simulator serves each vendor under `/{business}/{vendor}/...`; the exchange is re-addressed
to the vendor's own server URL from the spec before matching.
"""

from __future__ import annotations

import json
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

# Where each vendor's paths start under the simulator's `/{business}/` prefix.
VENDOR_PREFIX = {"square": "/square", "xero": "/xero/api.xro/2.0"}
# Answers that are about the transport, not the operation: error shapes are checked elsewhere.
JUDGED_STATUSES = range(200, 300)


@dataclass(frozen=True)
class Exchange:
    vendor: str  # square | xero | hubspot
    method: str
    path: str  # the vendor's own path, e.g. /v2/payments
    query: str
    headers: dict[str, str]
    body: bytes | None
    status: int
    response_headers: dict[str, str]
    response_body: bytes


class RecordingTransport(httpx.BaseTransport):
    """Forwards to `inner` and records each exchange (thread-safe: Dagster may run steps in
    threads)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        parts = request.url.path.split("/", 3)  # '', business, vendor, rest
        vendor = parts[2] if len(parts) > 2 else ""
        prefix = "/" + parts[1] + VENDOR_PREFIX.get(vendor, f"/{vendor}")
        exchange = Exchange(
            vendor=vendor,
            method=request.method,
            path=request.url.path.removeprefix(prefix) or "/",
            query=request.url.query.decode(),
            headers=dict(request.headers),
            body=request.content or None,
            status=response.status_code,
            response_headers=dict(response.headers),
            response_body=response.content,
        )
        with self._lock:
            self.exchanges.append(exchange)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=response.content,
            request=request,
        )


@dataclass
class _Request:
    """openapi-core's Request protocol over a recorded exchange."""

    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters


@dataclass
class _Response:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes


def load_apis(specs_dir: Path) -> dict[str, tuple[OpenAPI, str]]:
    """Each vendor's OpenAPI object and server URL. The specs themselves are not re-validated
    (Square's carries vendor extensions the meta-schema rejects); only our traffic is."""
    config = Config(spec_validator_cls=None)
    square = json.loads((specs_dir / "square" / "api.json").read_text())
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (specs_dir / "xero" / "xero_accounting.yaml").open() as fh:
        xero = yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader either way
    return {
        name: (OpenAPI.from_dict(spec, config=config), spec["servers"][0]["url"].rstrip("/"))
        for name, spec in (("square", square), ("xero", xero))
    }


def _as_request(exchange: Exchange, server: str) -> _Request:
    _, _, host = server.partition("://")
    host_url = f"https://{host.split('/', 1)[0]}"
    base = "/" + host.split("/", 1)[1] if "/" in host else ""
    headers = Headers(exchange.headers)
    return _Request(
        host_url=host_url,
        path=base + exchange.path,
        method=exchange.method.lower(),
        body=exchange.body,
        content_type=headers.get("Content-Type") or headers.get("Accept") or "application/json",
        parameters=RequestParameters(
            query=ImmutableMultiDict(
                [(k, v) for k, vs in parse_qs(exchange.query).items() for v in vs]
            ),
            header=headers,
        ),
    )


def violations(exchanges: list[Exchange], apis: dict[str, tuple[OpenAPI, str]]) -> list[str]:
    """One line per spec violation, naming the call; identical lines are reported once."""
    found: dict[str, None] = {}
    # openapi-core cannot check OAuth2 schemes; authentication is not what is judged here.
    warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
    for exchange in exchanges:
        if exchange.vendor not in apis:
            continue
        api, server = apis[exchange.vendor]
        request = _as_request(exchange, server)
        where = f"{exchange.vendor} {exchange.method} {exchange.path}"
        for error in _errors(api.iter_request_errors(request)):
            found[f"{where} request: {error}"] = None
        if exchange.status not in JUDGED_STATUSES:
            continue
        headers = Headers(exchange.response_headers)
        response = _Response(
            exchange.status,
            (headers.get("Content-Type") or "application/json").lower(),
            headers,
            exchange.response_body,
        )
        for error in _errors(api.iter_response_errors(request, response)):
            found[f"{where} -> {exchange.status}: {error}"] = None
    return list(found)


def _errors(errors: Any) -> list[str]:
    out = []
    for error in errors:
        causes = getattr(error, "schema_errors", None) or [
            c for c in [getattr(error, "__cause__", None)] if c is not None
        ]
        nested = [getattr(c, "schema_errors", None) or [c] for c in causes]
        detail = "; ".join(
            f"{'/'.join(map(str, getattr(e, 'absolute_path', []))) or '<root>'}: "
            f"{getattr(e, 'message', str(e))[:200]}"
            for group in nested
            for e in group
        )
        out.append(f"{type(error).__name__}: {error}" + (f" ({detail})" if detail else ""))
    return out
