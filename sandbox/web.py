"""Request/response plumbing shared by the three vendor simulators.

- `Call` is the parsed request (business already resolved, vendor-relative path).
- `ApiError` is raised by handlers and rendered in the vendor's own error shape.
- `dumps` writes compact JSON where `XeroAmount` becomes an exact decimal number (125.50) and
  `Raw` splices pre-rendered JSON text (stored Square records) without re-parsing it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from . import ids
from .money import XeroAmount, decimal_text
from .world import Business

SQUARE, HUBSPOT, XERO = "square", "hubspot", "xero"
VENDORS = (SQUARE, HUBSPOT, XERO)
BAD_JSON = "BAD_JSON"  # vendor-neutral code; each vendor renders its own
SQUARE_VERSION = "2025-08-20"


class Raw:
    """Already-serialised JSON text to splice into a response."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


_PLACEHOLDER = re.compile(r'"\\u0000(\d+)"')


def dumps(body: Any) -> str:
    spliced: list[str] = []

    def default(value: object) -> str:
        if isinstance(value, XeroAmount):
            spliced.append(decimal_text(value.cents))
        elif isinstance(value, Raw):
            spliced.append(value.text)
        elif isinstance(value, Decimal):
            spliced.append(str(value))
        else:
            raise TypeError(f"cannot serialise {type(value).__name__}")
        return f"\x00{len(spliced) - 1}"

    text = json.dumps(body, separators=(",", ":"), default=default)
    if not spliced:
        return text
    return _PLACEHOLDER.sub(lambda m: spliced[int(m.group(1))], text)


class ApiError(Exception):
    """A client-visible error; `code` is vendor vocabulary (Square ErrorCode, HubSpot category,
    Xero exception type)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        elements: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.elements = elements
        self.headers = headers or {}


@dataclass
class Call:
    vendor: str
    business: Business
    method: str
    path: str  # vendor-relative, e.g. "/v2/payments" or "/crm/v3/lists"
    url: httpx.URL
    headers: httpx.Headers
    content: bytes
    params: dict[str, str] = field(default_factory=dict)
    path_args: tuple[str, ...] = ()

    def json(self) -> Any:
        """The body as JSON; numbers with fractions parse as Decimal so money stays exact."""
        if not self.content.strip():
            return None
        try:
            return json.loads(self.content, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, BAD_JSON, f"Request body is not valid JSON: {exc}") from None


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw_text: str | None = None  # when set, sent verbatim (idempotent replays)
    replayed: bool = False  # an idempotent replay of an earlier write

    def text(self) -> str:
        return self.raw_text if self.raw_text is not None else dumps(self.body)


def correlation_id(method: str, url: httpx.URL, content: bytes) -> str:
    # Derived from the request, not a counter, so identical requests get identical bodies.
    return ids.stable_uuid("correlation", method, str(url), content.decode("utf-8", "replace"))


# -- vendor error shapes -------------------------------------------------------------------------

_SQUARE_CATEGORY = {
    400: "INVALID_REQUEST_ERROR",
    401: "AUTHENTICATION_ERROR",
    403: "AUTHENTICATION_ERROR",
    404: "INVALID_REQUEST_ERROR",
    405: "INVALID_REQUEST_ERROR",
    429: "RATE_LIMIT_ERROR",
}
_SQUARE_DEFAULT_CODE = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}
_HUBSPOT_CATEGORY = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
}
# Categories a handler may name itself (others follow from the status).
_HUBSPOT_OWN_CATEGORIES = frozenset({"OBJECT_ALREADY_EXISTS", "CONFLICT", "VALIDATION_ERROR"})
_XERO_ERROR_NUMBER = {
    "ValidationException": 10,
    "PostDataInvalidException": 14,
    "QueryParseException": 16,
}
_XERO_TITLE = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def error_reply(vendor: str | None, err: ApiError, correlation: str) -> Reply:
    if vendor is None:  # not under any vendor prefix: a plain sandbox error
        body: dict = {"error": {"status": err.status, "message": err.message}}
    elif vendor == SQUARE:
        code = _SQUARE_DEFAULT_CODE.get(err.status, "INTERNAL_SERVER_ERROR")
        if err.code not in (BAD_JSON, ""):
            code = err.code
        detail: dict[str, str] = {
            "category": _SQUARE_CATEGORY.get(err.status, "API_ERROR"),
            "code": code,
            "detail": err.message,
        }
        if err.field:
            detail["field"] = err.field
        body = {"errors": [detail]}
    elif vendor == HUBSPOT:
        if err.status == 429:
            body = {
                "status": "error",
                "message": "You have reached your secondly limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": correlation,
                "policyName": "SECONDLY",
            }
        else:
            body = {
                "status": "error",
                "message": err.message,
                "correlationId": correlation,
                "category": err.code
                if err.code in _HUBSPOT_OWN_CATEGORIES
                else _HUBSPOT_CATEGORY.get(err.status, "INTERNAL_ERROR"),
            }
    elif err.status == 400:  # Xero API exceptions
        kind = err.code if err.code in _XERO_ERROR_NUMBER else "PostDataInvalidException"
        body = {"ErrorNumber": _XERO_ERROR_NUMBER[kind], "Type": kind, "Message": err.message}
        if err.elements is not None:
            body["Elements"] = err.elements
    else:  # Xero's problem-details shape (identity / gateway errors)
        body = {
            "Type": None,
            "Title": _XERO_TITLE.get(err.status, "Error"),
            "Status": err.status,
            "Detail": err.message,
            "Instance": correlation,
            "Extensions": {},
        }
    return Reply(err.status, body, dict(err.headers))


def to_response(vendor: str | None, reply: Reply) -> httpx.Response:
    headers = {"content-type": "application/json; charset=utf-8"}
    if vendor == SQUARE:
        headers["square-version"] = SQUARE_VERSION
    headers.update(reply.headers)
    return httpx.Response(reply.status, headers=headers, content=reply.text().encode("utf-8"))
