"""Square Connect v2 simulator: orders, payments, refunds, payouts, disputes, catalog, customers,
locations.

Semantics follow Square's documentation where it matters to a sync client: time ranges are
start-inclusive / end-exclusive, SearchOrders requires the sort field to match the date filter,
list endpoints without location_id answer for the main location, cursors are opaque, and
everything is only visible once its updated_at (arrival) is at or before the sandbox clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from . import malformed, paging
from .catalog import TOP_LEVEL_TYPES, list_objects, location_json
from .clock import days, local_date, parse_rfc3339_ms, window
from .disputes import DISPUTE_STATES
from .payouts import activity_days_paid_between, build_payout, entry_json, payout_id, payout_json
from .records import OrderRec, PaymentRec, RefundRec
from .routing import Router
from .web import ApiError, Call, Raw, Reply
from .world import Location

if TYPE_CHECKING:
    from .app import Sandbox

router = Router()

ORDER_FIELDS = {"CREATED_AT": "created", "UPDATED_AT": "updated", "CLOSED_AT": "closed"}
ORDER_STATES = ("OPEN", "COMPLETED", "CANCELED", "DRAFT")
CATALOG_TYPES = (
    "ITEM",
    "ITEM_VARIATION",
    "CATEGORY",
    "TAX",
    "DISCOUNT",
    "MODIFIER_LIST",
    "MODIFIER",
    "IMAGE",
)


# -- parameter helpers ---------------------------------------------------------------------------


def _bad(code: str, detail: str, field: str | None = None) -> ApiError:
    return ApiError(400, code, detail, field=field)


def _time(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _bad("INVALID_TIME", f"`{field}` must be an RFC 3339 timestamp.", field)
    try:
        return parse_rfc3339_ms(value)
    except ValueError:
        raise _bad("INVALID_TIME", f"`{field}` is not a valid RFC 3339 timestamp.", field) from None


def _range(start: int | None, end: int | None, field: str) -> tuple[int | None, int | None]:
    if start is not None and end is not None and end < start:
        raise _bad("INVALID_TIME_RANGE", f"The end of `{field}` is before its start.", field)
    return start, end


def _int(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad("INVALID_VALUE", f"`{field}` must be an integer.", field) from None


def _capped_limit(value: Any, default: int, maximum: int) -> int:
    """Payments-style limits: out-of-range values fall back to the default (Square docs)."""
    limit = _int(value, "limit")
    if limit is None or limit < 1 or limit > maximum:
        return default
    return limit


def _sort_order(value: Any, default: str, field: str = "sort_order") -> bool:
    order = (value or default).upper() if isinstance(value, str) or value is None else value
    if order not in ("ASC", "DESC"):
        raise _bad("INVALID_SORT_ORDER", f"`{field}` must be ASC or DESC.", field)
    return order == "DESC"


def _location(sb: Sandbox, call: Call) -> Location:
    location_id = call.params.get("location_id")
    if not location_id:
        return call.business.main_location
    if location_id not in call.business.location_ids:
        raise ApiError(
            404, "NOT_FOUND", f"Location `{location_id}` not found.", field="location_id"
        )
    return call.business.location(location_id)


def _offset(cursor: Any, fp: str) -> int:
    if cursor in (None, ""):
        return 0
    if not isinstance(cursor, str):
        raise _bad("INVALID_CURSOR", "The cursor must be a string.", "cursor")
    try:
        return paging.decode_cursor(cursor, fp)
    except ValueError as exc:
        raise _bad("INVALID_CURSOR", f"Invalid cursor: {exc}.", "cursor") from None


def _days(loc: Location, start: int | None, end: int | None) -> tuple[date | None, date | None]:
    first = local_date(start, loc.tz) if start is not None else None
    last = local_date(end - 1, loc.tz) if end is not None else None
    return first, last


def _in(ts: int, start: int | None, end: int | None) -> bool:
    return (start is None or ts >= start) and (end is None or ts < end)


def _listing(
    sb: Sandbox,
    call: Call,
    key: str,
    entity: str,
    records: Sequence[str],
    offset: int,
    limit: int,
    fp: str,
    extra: dict | None = None,
) -> Reply:
    """A Square list body from pre-rendered record texts (+ the malformed fault on page 1)."""
    limit = min(limit, sb.faults.page_size or limit)  # the pagesize option caps every page
    chunk, cursor = paging.page(records, offset, limit, fp)
    items: list[Any] = [Raw(text) for text in chunk]
    if sb.faults.malformed and offset == 0:
        page = [json.loads(text) for text in chunk[:1]]
        broken = malformed.inject(entity, page)[min(1, len(page))]
        items.insert(min(1, len(items)), broken)
    body: dict[str, Any] = {key: items}
    if cursor:
        body["cursor"] = cursor
    if extra:
        body.update(extra)
    return Reply(200, body)


# -- orders --------------------------------------------------------------------------------------


@router.add("POST", "/v2/orders/search")
def search_orders(sb: Sandbox, call: Call) -> Reply:
    body = call.json() or {}
    if not isinstance(body, dict):
        raise _bad("EXPECTED_JSON_BODY", "The request body must be a JSON object.")
    location_ids = body.get("location_ids")
    if not isinstance(location_ids, list) or not location_ids:
        raise _bad("MISSING_REQUIRED_PARAMETER", "`location_ids` is required.", "location_ids")
    if len(location_ids) > 10:
        raise _bad("VALUE_TOO_LONG", "At most 10 `location_ids` are allowed.", "location_ids")
    for lid in location_ids:
        if lid not in call.business.location_ids:
            raise _bad(
                "INVALID_VALUE", f"Location `{lid}` is not one of this seller's.", "location_ids"
            )
    if body.get("return_entries"):
        raise _bad(
            "INVALID_VALUE", "The sandbox does not support return_entries.", "return_entries"
        )
    query = body.get("query") or {}
    filters = query.get("filter") or {}
    dt_filter = filters.get("date_time_filter") or {}
    filtered = [name for name in ("created_at", "updated_at", "closed_at") if dt_filter.get(name)]
    if len(filtered) > 1:
        raise _bad(
            "INVALID_VALUE",
            "Only one date_time_filter time range is allowed.",
            "query.filter.date_time_filter",
        )
    sort = query.get("sort") or {}
    sort_field = sort.get("sort_field") or "CREATED_AT"
    if sort_field not in ORDER_FIELDS:
        raise _bad(
            "INVALID_ENUM_VALUE", f"Unknown sort_field `{sort_field}`.", "query.sort.sort_field"
        )
    reverse = _sort_order(sort.get("sort_order"), "DESC", "query.sort.sort_order")
    start = end = None
    if filtered:
        name = filtered[0]
        if name.upper() != sort_field:
            raise _bad(
                "INVALID_VALUE",
                f"When filtering on {name}, query.sort.sort_field must be {name.upper()}.",
                "query.sort.sort_field",
            )
        span = dt_filter[name]
        where = f"query.filter.date_time_filter.{name}"
        start, end = _range(
            _time(span.get("start_at"), f"{where}.start_at"),
            _time(span.get("end_at"), f"{where}.end_at"),
            where,
        )
    states = (filters.get("state_filter") or {}).get("states")
    if states is not None:
        bad = [s for s in states if s not in ORDER_STATES]
        if not isinstance(states, list) or bad:
            raise _bad(
                "INVALID_ENUM_VALUE", "Unknown order state.", "query.filter.state_filter.states"
            )
    limit = _int(body.get("limit"), "limit") or 500
    limit = max(1, min(limit, 1000))
    attr = ORDER_FIELDS[sort_field]
    locs = tuple(call.business.location(lid) for lid in location_ids)
    fp = paging.fingerprint("orders", tuple(location_ids), attr, start, end, states, reverse)
    offset = _offset(body.get("cursor"), fp)

    def collect() -> list[str]:
        found: list[OrderRec] = []
        if states is not None and "COMPLETED" not in states:
            return []
        for loc in locs:
            first, last = _days(loc, start, end)
            for day in sb.world.owner_days(loc, sb.now_ms, first, last):
                for rec in sb.world.day(loc, day).orders:
                    if rec.updated <= sb.now_ms and _in(getattr(rec, attr), start, end):
                        found.append(rec)
        found.sort(key=lambda r: (getattr(r, attr), r.id), reverse=reverse)
        return [r.body for r in found]

    texts = sb.cached((call.business.id, fp), collect)
    return _listing(sb, call, "orders", "square.order", texts, offset, limit, fp)


# -- payments and refunds ------------------------------------------------------------------------


def _created_updated_ranges(call: Call) -> tuple[int | None, int | None, int | None, int | None]:
    p = call.params
    c0, c1 = _range(
        _time(p.get("begin_time"), "begin_time"), _time(p.get("end_time"), "end_time"), "begin_time"
    )
    u0, u1 = _range(
        _time(p.get("updated_at_begin_time"), "updated_at_begin_time"),
        _time(p.get("updated_at_end_time"), "updated_at_end_time"),
        "updated_at_begin_time",
    )
    return c0, c1, u0, u1


def _owner_days(
    sb: Sandbox, loc: Location, c0: int | None, c1: int | None, u0: int | None, u1: int | None
) -> list[date]:
    firsts = [d for d in (_days(loc, c0, None)[0], _days(loc, u0, None)[0]) if d]
    lasts = [d for d in (_days(loc, None, c1)[1], _days(loc, None, u1)[1]) if d]
    return sb.world.owner_days(loc, sb.now_ms, max(firsts, default=None), min(lasts, default=None))


def _list_changes(
    sb: Sandbox,
    call: Call,
    kind: str,
    pick: Callable[[date], Sequence[PaymentRec] | Sequence[RefundRec]],
    loc: Location,
) -> tuple[list[str], str]:
    c0, c1, u0, u1 = _created_updated_ranges(call)
    sort_field = (call.params.get("sort_field") or "CREATED_AT").upper()
    allowed = (
        ("CREATED_AT", "UPDATED_AT", "OFFLINE_CREATED_AT")
        if kind == "payments"
        else ("CREATED_AT", "UPDATED_AT")
    )
    if sort_field not in allowed:
        raise _bad("INVALID_ENUM_VALUE", f"Unknown sort_field `{sort_field}`.", "sort_field")
    reverse = _sort_order(call.params.get("sort_order"), "DESC")
    fp = paging.fingerprint(kind, loc.id, c0, c1, u0, u1, sort_field, reverse)
    now = sb.now_ms

    def collect() -> list[str]:
        rows: list[tuple[int, str, str]] = []
        for day in _owner_days(sb, loc, c0, c1, u0, u1):
            for rec in pick(day):
                if rec.updated > now:
                    continue
                updated = rec.updated_at(now) if isinstance(rec, PaymentRec) else rec.updated
                if not (_in(rec.created, c0, c1) and _in(updated, u0, u1)):
                    continue
                key = updated if sort_field == "UPDATED_AT" else rec.created
                text = rec.render(now) if isinstance(rec, PaymentRec) else rec.body
                rows.append((key, rec.id, text))
        rows.sort(key=lambda r: (r[0], r[1]), reverse=reverse)
        return [r[2] for r in rows]

    return sb.cached((call.business.id, fp), collect), fp


@router.add("GET", "/v2/payments")
def list_payments(sb: Sandbox, call: Call) -> Reply:
    loc = _location(sb, call)
    texts, fp = _list_changes(sb, call, "payments", lambda d: sb.world.day(loc, d).payments, loc)
    offset = _offset(call.params.get("cursor"), fp)
    limit = _capped_limit(call.params.get("limit"), 100, 100)
    return _listing(sb, call, "payments", "square.payment", texts, offset, limit, fp)


@router.add("GET", "/v2/refunds")
def list_refunds(sb: Sandbox, call: Call) -> Reply:
    loc = _location(sb, call)
    texts, fp = _list_changes(sb, call, "refunds", lambda d: sb.world.day(loc, d).refunds, loc)
    status = call.params.get("status")
    if status and status != "COMPLETED":
        texts = []
    offset = _offset(call.params.get("cursor"), fp)
    limit = _capped_limit(call.params.get("limit"), 100, 100)
    return _listing(sb, call, "refunds", "square.refund", texts, offset, limit, fp)


# -- payouts -------------------------------------------------------------------------------------


@router.add("GET", "/v2/payouts")
def list_payouts(sb: Sandbox, call: Call) -> Reply:
    loc = _location(sb, call)
    p = call.params
    start, end = _range(
        _time(p.get("begin_time"), "begin_time"), _time(p.get("end_time"), "end_time"), "begin_time"
    )
    status = p.get("status")
    if status and status not in ("SENT", "FAILED", "PAID"):
        raise _bad("INVALID_ENUM_VALUE", f"Unknown status `{status}`.", "status")
    reverse = _sort_order(p.get("sort_order"), "DESC")
    fp = paging.fingerprint("payouts", loc.id, start, end, status, reverse)

    def collect() -> list[str]:
        found = []
        for day in activity_days_paid_between(loc, sb.now_ms, start, end):
            payout = build_payout(sb.world, loc, day, sb.now_ms)
            if payout is not None and status in (None, "", payout.status(sb.now_ms)):
                found.append(payout)
        found.sort(key=lambda po: (po.created_ms, po.id), reverse=reverse)
        return [
            json.dumps(payout_json(po, call.business.id, sb.now_ms), separators=(",", ":"))
            for po in found
        ]

    texts = sb.cached((call.business.id, fp), collect)
    offset = _offset(p.get("cursor"), fp)
    limit = _capped_limit(p.get("limit"), 100, 100)
    return _listing(sb, call, "payouts", "square.payout", texts, offset, limit, fp)


@router.add("GET", "/v2/payouts/([^/]+)/payout-entries")
def list_payout_entries(sb: Sandbox, call: Call) -> Reply:
    wanted = call.path_args[0]
    payout = None
    for loc in call.business.locations:
        first, last = window(sb.now_ms, loc.tz)
        for day in days(first, last):
            if payout_id(sb.seed, loc.id, day) == wanted:
                payout = build_payout(sb.world, loc, day, sb.now_ms)
                if payout is not None and payout.created_ms > sb.now_ms:
                    payout = None
                break
    if payout is None:
        raise ApiError(404, "NOT_FOUND", f"Payout `{wanted}` not found.", field="payout_id")
    reverse = _sort_order(call.params.get("sort_order"), "ASC")
    fp = paging.fingerprint("payout-entries", wanted, reverse)
    entries = sorted(payout.entries, key=lambda e: (e.effective_ms, e.id), reverse=reverse)
    texts = [json.dumps(entry_json(e, payout.id), separators=(",", ":")) for e in entries]
    offset = _offset(call.params.get("cursor"), fp)
    limit = _capped_limit(call.params.get("limit"), 100, 100)
    return _listing(sb, call, "payout_entries", "square.payout_entry", texts, offset, limit, fp)


# -- disputes ------------------------------------------------------------------------------------


@router.add("GET", "/v2/disputes")
def list_disputes(sb: Sandbox, call: Call) -> Reply:
    p = call.params
    # Unlike payments, no location_id means every location of the seller (Square docs).
    location_id = p.get("location_id")
    locs = call.business.locations if not location_id else (_location(sb, call),)
    raw = p.get("states") or ""
    states = tuple(sorted({s.strip().upper() for s in raw.split(",") if s.strip()}))
    unknown = [s for s in states if s not in DISPUTE_STATES]
    if unknown:
        raise _bad("INVALID_ENUM_VALUE", f"Unknown dispute state `{unknown[0]}`.", "states")
    fp = paging.fingerprint("disputes", tuple(loc.id for loc in locs), states)

    def collect() -> list[str]:
        found = []
        for loc in locs:
            first, last = window(sb.now_ms, loc.tz)
            for day in days(first, last):
                for d in sb.world.disputes(loc, day):
                    seen = d.seen(sb.now_ms)
                    if seen and (not states or seen[-1].state in states):
                        found.append(d)
        found.sort(key=lambda d: (d.created, d.id))
        return [d.render(sb.now_ms) for d in found]

    texts = sb.cached((call.business.id, fp), collect)
    offset = _offset(p.get("cursor"), fp)
    return _listing(sb, call, "disputes", "square.dispute", texts, offset, 100, fp)


# -- catalog, customers, locations ---------------------------------------------------------------


@router.add("GET", "/v2/catalog/list")
def list_catalog(sb: Sandbox, call: Call) -> Reply:
    raw = call.params.get("types")
    types = (
        tuple(t.strip().upper() for t in raw.split(",") if t.strip()) if raw else TOP_LEVEL_TYPES
    )
    unknown = [t for t in types if t not in CATALOG_TYPES]
    if unknown:
        raise _bad("INVALID_ENUM_VALUE", f"Unknown catalog object type `{unknown[0]}`.", "types")
    fp = paging.fingerprint("catalog", types)
    texts = [json.dumps(o, separators=(",", ":")) for o in list_objects(call.business.id, types)]
    offset = _offset(call.params.get("cursor"), fp)
    return _listing(sb, call, "objects", "square.catalog", texts, offset, 100, fp)


def _customer_name_key(body: dict) -> tuple[str, ...]:
    # Square's DEFAULT order: given + family name, then company, email, phone.
    name = f"{body.get('given_name', '')}{body.get('family_name', '')}".lower()
    return (
        name or "~",
        body.get("email_address", "").strip().lower(),
        body.get("phone_number", ""),
        body["id"],
    )


@router.add("GET", "/v2/customers")
def list_customers(sb: Sandbox, call: Call) -> Reply:
    p = call.params
    limit = _int(p.get("limit"), "limit")
    if limit is not None and limit < 1:
        raise _bad("VALUE_TOO_LOW", "`limit` must be at least 1.", "limit")
    if limit is not None and limit > 100:
        raise _bad("VALUE_TOO_HIGH", "`limit` must be at most 100.", "limit")
    sort_field = (p.get("sort_field") or "DEFAULT").upper()
    if sort_field not in ("DEFAULT", "CREATED_AT"):
        raise _bad("INVALID_ENUM_VALUE", f"Unknown sort_field `{sort_field}`.", "sort_field")
    reverse = _sort_order(p.get("sort_order"), "ASC")
    fp = paging.fingerprint("customers", sort_field, reverse)

    def collect() -> list[str]:
        visible = []
        for rec in sb.world.pool(call.business.id).square:
            seen = rec.at(sb.now_ms)
            if seen:
                visible.append((rec.created_ms, seen[1]))
        if sort_field == "CREATED_AT":
            visible.sort(key=lambda v: (v[0], v[1]["id"]), reverse=reverse)
        else:
            visible.sort(key=lambda v: _customer_name_key(v[1]), reverse=reverse)
        return [json.dumps(body, separators=(",", ":")) for _, body in visible]

    texts = sb.cached((call.business.id, fp), collect)
    offset = _offset(p.get("cursor"), fp)
    extra = {"count": len(texts)} if (p.get("count") or "").lower() == "true" else None
    return _listing(
        sb, call, "customers", "square.customer", texts, offset, limit or 100, fp, extra
    )


@router.add("GET", "/v2/locations")
def list_locations(sb: Sandbox, call: Call) -> Reply:
    business = call.business
    return Reply(
        200, {"locations": [location_json(business, lid) for lid in business.location_ids]}
    )
