"""Xero Accounting API 2.0 simulator: Accounts, Contacts, BankTransactions, Invoices (read) and
ManualJournals (read + idempotent PUT; like Xero, no line may be on a BANK account). Bank
transactions and transfers are created in sandbox/xero_bank_api.py, invoices and payments in
sandbox/xero_invoices_api.py.

Responses use Xero's JSON envelope {"Id", "Status", "ProviderName", "DateTimeUTC", <Collection>},
MS-JSON dates, `page` paging (100 per page, empty past the end) and If-Modified-Since
(records with UpdatedDateUTC strictly after it).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from . import ids, malformed
from .clock import DAY_MS, msdate, msdate_time, parse_if_modified_since
from .ledger import (
    XeroRecord,
    account_id,
    accounts,
    bank_codes,
    bank_transactions,
    contacts,
    invoices,
)
from .money import XeroAmount, cents_from_decimal, decimal_text
from .routing import Router
from .web import ApiError, Call, Reply, correlation_id
from .world import ACCOUNT_CODES, BUSINESSES

if TYPE_CHECKING:
    from .app import Sandbox

router = Router(ignore_case=True)
PROVIDER = "Backbone Sandbox"
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MSDATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


@dataclass
class XeroState:
    """One organisation's created manual journals, bank transactions and bank transfers, its
    invoices as written through the API (created ones, and generated ones once a payment or an
    update touched them, by InvoiceID) with their payments, and the responses stored per
    (collection, Idempotency-Key)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    journals: list[XeroRecord] = field(default_factory=list)
    bank_transactions: list[XeroRecord] = field(default_factory=list)
    transfers: list[XeroRecord] = field(default_factory=list)
    invoices: dict[str, XeroRecord] = field(default_factory=dict)
    payments: list[XeroRecord] = field(default_factory=list)
    replies: dict[str, str] = field(default_factory=dict)


def _envelope(sb: Sandbox, call: Call, name: str, items: list[Any], **extra: Any) -> dict:
    body: dict[str, Any] = {
        "Id": correlation_id(call.method, call.url, call.content),
        "Status": "OK",
        "ProviderName": PROVIDER,
        "DateTimeUTC": msdate_time(sb.now_ms),
    }
    body.update(extra)
    body[name] = items
    return body


def _positive(call: Call, name: str, default: int | None, maximum: int | None = None) -> int | None:
    raw = call.params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, "QueryParseException", f"'{name}' must be a positive whole number")
    value = int(raw)
    return min(value, maximum) if maximum else value


def _collection(
    sb: Sandbox,
    call: Call,
    name: str,
    entity: str,
    records: list[XeroRecord],
    paged: bool,
    order: Callable[[XeroRecord], Any] = lambda r: (r.updated_ms, r.id),
) -> Reply:
    since_header = call.headers.get("if-modified-since")
    if since_header:
        try:
            since = parse_if_modified_since(since_header)
        except (ValueError, TypeError):
            raise ApiError(
                400, "QueryParseException", f"Invalid If-Modified-Since header: {since_header!r}"
            ) from None
        records = [r for r in records if r.updated_ms > since]
    records = sorted(records, key=order)  # oldest change first: incremental syncs resume cleanly
    page = _positive(call, "page", None) if paged else None
    extra: dict[str, Any] = {}
    if page is not None:
        size = _positive(call, "pageSize", PAGE_SIZE, MAX_PAGE_SIZE) or PAGE_SIZE
        size = min(size, sb.faults.page_size or size)  # the pagesize option caps every page
        chunk = records[(page - 1) * size : page * size]
        extra["pagination"] = {
            "page": page,
            "pageSize": size,
            "pageCount": -(-len(records) // size),
            "itemCount": len(records),
        }
    else:
        chunk = records
    items = [r.body for r in chunk]
    if sb.faults.malformed and (page is None or page == 1):
        items = malformed.inject(entity, items)
    return Reply(200, _envelope(sb, call, name, items, **extra))


@router.add("GET", "/Accounts")
def get_accounts(sb: Sandbox, call: Call) -> Reply:
    records = accounts(call.business, sb.xero_booking(call.business.id))
    return _collection(
        sb, call, "Accounts", "xero.account", records, False, lambda r: r.body["Code"]
    )


@router.add("GET", "/Contacts")
def get_contacts(sb: Sandbox, call: Call) -> Reply:
    records = contacts(sb.world, call.business, sb.now_ms)
    return _collection(sb, call, "Contacts", "xero.contact", records, True)


@router.add("GET", "/BankTransactions")
def get_bank_transactions(sb: Sandbox, call: Call) -> Reply:
    since = None
    header = call.headers.get("if-modified-since")
    if header:
        try:  # narrows generation to recent days; _collection applies the exact filter
            since = parse_if_modified_since(header)
        except (ValueError, TypeError):
            since = None
    mode = sb.xero_booking(call.business.id)
    records = bank_transactions(sb.world, call.business, sb.now_ms, since, mode)
    state = sb.xero_state(call.business.id)
    with state.lock:
        records += state.bank_transactions  # created through PUT, so extracts see them too
    return _collection(sb, call, "BankTransactions", "xero.bank_transaction", records, True)


@router.add("GET", "/Invoices")
def get_invoices(sb: Sandbox, call: Call) -> Reply:
    state = sb.xero_state(call.business.id)
    with state.lock:
        written = dict(state.invoices)
    # An invoice written through the API is listed in its current state, once.
    records = [r for r in invoices(sb.world, call.business, sb.now_ms) if r.id not in written]
    records += written.values()
    return _collection(sb, call, "Invoices", "xero.invoice", records, True)


@router.add("GET", "/ManualJournals")
def get_manual_journals(sb: Sandbox, call: Call) -> Reply:
    state = sb.xero_state(call.business.id)
    with state.lock:
        records = list(state.journals)
    # All journals posted to a Sandbox share its clock; the stable sort keeps posting order.
    return _collection(
        sb, call, "ManualJournals", "xero.manual_journal", records, True, lambda r: r.updated_ms
    )


# -- PUT /ManualJournals -------------------------------------------------------------------------


def _journal_date(value: Any, default: date) -> date:
    if value in (None, ""):
        return default
    if not isinstance(value, str):
        raise ValueError("Date must be a string")
    match = _MSDATE.match(value)
    if match:  # the date part of an MS-JSON instant, in UTC
        return date.fromordinal(_EPOCH_ORDINAL + int(match.group(1)) // DAY_MS)
    return date.fromisoformat(value[:10])


def _validate_journal(raw: Any, default_day: date, banks: frozenset[str]) -> tuple[dict, list[str]]:
    """Parsed journal facts and the Xero validation messages for it."""
    errors: list[str] = []
    if not isinstance(raw, dict):
        return {}, ["A manual journal must be an object"]
    narration = raw.get("Narration")
    if not isinstance(narration, str) or not narration.strip():
        errors.append("Narration must not be empty")
    try:
        day = _journal_date(raw.get("Date"), default_day)
    except ValueError:
        errors.append(f"Date '{raw.get('Date')}' is not a valid date")
        day = default_day
    status = raw.get("Status") or "DRAFT"
    if status not in ("DRAFT", "POSTED"):
        errors.append(f"Status '{status}' is not valid for a new manual journal")
    if raw.get("LineAmountTypes") not in (None, "NoTax", "Exclusive", "Inclusive"):
        errors.append(f"LineAmountTypes '{raw.get('LineAmountTypes')}' is not valid")
    lines = raw.get("JournalLines")
    parsed_lines = []
    if not isinstance(lines, list) or len(lines) < 2:
        errors.append("A manual journal must have at least two journal lines")
        lines = lines if isinstance(lines, list) else []
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            errors.append(f"Journal line {i + 1} must be an object")
            continue
        code = line.get("AccountCode")
        if not isinstance(code, str) or code not in ACCOUNT_CODES:
            errors.append(f"Account code '{code}' is not a valid code for this document.")
        elif code in banks:
            # Xero help, "Manually adjust a bank account balance in Xero": "You can't post a
            # manual journal to a bank account in Xero"; spend or receive money instead.
            errors.append(
                f"Account code '{code}' is a bank account. You can't post a manual journal to "
                "a bank account; use a spend or receive money transaction instead."
            )
        try:
            cents = cents_from_decimal(line.get("LineAmount"))
        except ValueError:
            errors.append(
                f"Journal line {i + 1}: LineAmount must be a number with at most two decimal places"
            )
            continue
        parsed_lines.append((line, code, cents))
    debits = sum(c for _, _, c in parsed_lines if c > 0)
    credits = -sum(c for _, _, c in parsed_lines if c < 0)
    if parsed_lines and debits != credits:
        errors.append(
            f"The total debits ({decimal_text(debits)}) must equal total credits "
            f"({decimal_text(credits)})"
        )
    facts = {"narration": narration, "day": day, "status": status, "lines": parsed_lines}
    return facts, errors


def _journal_body(sb: Sandbox, call: Call, journal_id: str, facts: dict, raw: dict) -> dict:
    business = call.business
    lines = []
    for line, code, cents in facts["lines"]:
        out: dict[str, Any] = {
            "LineAmount": XeroAmount(cents),
            "AccountCode": code,
            "AccountID": account_id(business, code),
            "Description": str(line.get("Description") or ""),
            "TaxType": str(line.get("TaxType") or "NONE"),
            "TaxAmount": XeroAmount(0),
            "IsBlank": False,
        }
        if isinstance(line.get("Tracking"), list):
            out["Tracking"] = line["Tracking"]
        lines.append(out)
    return {
        "Date": msdate(facts["day"]),
        "Status": facts["status"],
        "LineAmountTypes": raw.get("LineAmountTypes") or "NoTax",
        "UpdatedDateUTC": msdate_time(sb.now_ms),
        "ManualJournalID": journal_id,
        "Narration": facts["narration"],
        "JournalLines": lines,
        "ShowOnCashBasisReports": bool(raw.get("ShowOnCashBasisReports", True)),
        "HasAttachments": False,
    }


# Validates one document of a collection: (facts, Xero's validation messages).
Validate = Callable[[Any], tuple[dict, list[str]]]
# Builds the stored record of one valid document from its facts, its raw form, and the token and
# position its id derives from (so a replayed key can never mint a second id).
Build = Callable[[dict, dict, str, int], XeroRecord]


def idempotent_put(
    sb: Sandbox, call: Call, collection: str, validate: Validate, build: Build
) -> tuple[list[XeroRecord], Reply]:
    """Xero's PUT of a collection: the whole request is refused with per-document messages if
    any document is invalid; with an Idempotency-Key seen before, the stored answer is replayed
    and nothing is created. Returns the created records (the caller stores them; `call` holds
    the state lock) and the reply."""
    key = (call.headers.get("idempotency-key") or "").strip() or None
    if key is not None and len(key) > 128:
        raise ApiError(400, "ValidationException", "Idempotency-Key must be at most 128 characters")
    state = sb.xero_state(call.business.id)
    slot = f"{collection}:{key}"
    if key is not None and slot in state.replies:
        return [], Reply(200, None, raw_text=state.replies[slot], replayed=True)
    body = call.json()
    if isinstance(body, dict) and isinstance(body.get(collection), list):
        raws = body[collection]
    elif isinstance(body, dict):
        raws = [body]
    else:
        raise ApiError(400, "PostDataInvalidException", f"Expected a {collection} object")
    if not raws:
        raise ApiError(400, "ValidationException", f"No {collection} were supplied", elements=[])
    parsed = [validate(raw) for raw in raws]
    if any(errors for _, errors in parsed):
        elements = [
            {
                **(raw if isinstance(raw, dict) else {}),
                "ValidationErrors": [{"Message": m} for m in errors],
            }
            for raw, (_, errors) in zip(raws, parsed, strict=True)
        ]
        raise ApiError(
            400, "ValidationException", "A validation exception occurred", elements=elements
        )
    created = []
    for i, ((facts, _), raw) in enumerate(zip(parsed, raws, strict=True)):
        token = key if key is not None else f"auto-{sb.request_count}"
        created.append(build(facts, raw, token, i))
    text = Reply(200, _envelope(sb, call, collection, [r.body for r in created])).text()
    if key is not None:
        state.replies[slot] = text
    return created, Reply(200, None, raw_text=text)


@router.add("PUT", "/ManualJournals", write=True)
def put_manual_journals(sb: Sandbox, call: Call) -> Reply:
    state = sb.xero_state(call.business.id)
    tenant = BUSINESSES[call.business.id].xero_tenant_id
    banks = bank_codes(sb.xero_booking(call.business.id))

    def build(facts: dict, raw: dict, token: str, i: int) -> XeroRecord:
        journal_id = ids.stable_uuid(tenant, "manual-journal", token, i)
        return XeroRecord(journal_id, sb.now_ms, _journal_body(sb, call, journal_id, facts, raw))

    with state.lock:
        created, reply = idempotent_put(
            sb,
            call,
            "ManualJournals",
            lambda raw: _validate_journal(raw, sb.now.date(), banks),
            build,
        )
        state.journals.extend(created)
    return reply
