"""Won deals to Xero invoices, each exactly once, and marts.invoice_drafts (migration 0009).

For each deal newly in the won stage (ref.lifecycle_states maps HubSpot's deal stages) with a
rule in ref.invoice_rules:
- won on or after the rule's `effective_from` (the cutover): its balance and deposit invoices
  are PUT to Xero as DRAFTs through `send_once` (pipeline/store/sync_log.py: Idempotency-Key
  'deal-<id>-<kind>-v1', one ops.sync_log row each under xero:Invoices:<business>), then
  version 1 of its draft is recorded. A crash after a PUT and before its log row is replayed by
  Xero with the same InvoiceID; a crash after the log rows and before the draft row finds the
  ids in ops.sync_log and sends nothing.
- won before it: the bookkeeper invoiced it by hand. The ACCREC invoice whose Reference is the
  deal's name (the bookkeeper's habit; Backbone's own references add '(deal <id>)') is
  adopted: recorded, never invoiced again. A deal with nothing to adopt is left alone.
Rules and payloads are pure, in pipeline/crm/invoicing.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import duckdb

from pipeline.accounting.xero_journal import POSTED, dumps
from pipeline.crm.deal_status import XeroInvoiceState, loop_state
from pipeline.crm.invoicing import (
    BALANCE,
    DEPOSIT,
    DealInvoices,
    InvoiceDraft,
    InvoiceRule,
    WonDeal,
    deposit_cents,
    invoices_for,
    rule_for,
    xero_invoice,
)
from pipeline.kernel.money import to_cents, to_decimal
from pipeline.store import reference_files
from pipeline.store.connection import has_table
from pipeline.store.sync_log import Outgoing, SyncResult, send_once

TARGET_PREFIX = "xero:Invoices:"
_NEEDS = [("staging", "stg_hubspot__deals"), ("ref", "lifecycle_states"), ("ref", "locations")]


def target(business_id: str) -> str:
    return f"{TARGET_PREFIX}{business_id}"


def invoice_key(deal_id: str, kind: str, version: int) -> str:
    return f"deal-{deal_id}-{kind}-v{version}"


@dataclass(frozen=True)
class DealRow:
    deal: WonDeal
    customer_id: str | None
    xero_contact_id: str | None


def rules(con: duckdb.DuckDBPyConnection) -> list[InvoiceRule]:
    """ref.invoice_rules in file order, else the validated CSV (before reference tables)."""
    if has_table(con, "ref", "invoice_rules"):
        frame = con.execute("SELECT * FROM ref.invoice_rules").df()
    else:
        frame = reference_files.load("invoice_rules")
    return [InvoiceRule.from_row(row) for row in frame.to_dict("records")]


def won_deals(con: duckdb.DuckDBPyConnection, businesses: list[str]) -> list[DealRow]:
    """Deals whose latest stage means won, with their local won date, the Backbone customer of
    their HubSpot contact and that customer's Xero contact (the one the deal is named after,
    a company, when there is one)."""
    if not all(has_table(con, s, n) for s, n in _NEEDS):
        return []
    has_identity = has_table(con, "core", "identity_map")
    has_contacts = has_table(con, "staging", "stg_xero__contacts")
    identity = "core.identity_map" if has_identity else _EMPTY_IDENTITY
    contacts = "staging.stg_xero__contacts" if has_contacts else _EMPTY_CONTACTS
    rows = con.execute(
        f"""
        WITH latest AS (
            SELECT * FROM staging.stg_hubspot__deals
            WHERE business_id IN (SELECT unnest(?))
            QUALIFY row_number() OVER (
                PARTITION BY business_id, deal_id ORDER BY updated_at DESC NULLS LAST) = 1
        ),
        won AS (
            SELECT d.* FROM latest AS d
            JOIN ref.lifecycle_states AS s
              ON s.system = 'hubspot' AND s.entity = 'deal' AND s.vendor_state = d.deal_stage
            WHERE s.state = 'won' AND d.amount IS NOT NULL AND d.close_date IS NOT NULL
        ),
        zone AS (SELECT business_id, min(timezone) AS tz FROM ref.locations GROUP BY 1)
        SELECT w.deal_id, w.business_id, w.deal_name, w.amount,
               CAST(timezone(z.tz, w.close_date) AS DATE) AS won_on,
               m.customer_id,
               (SELECT x.source_id FROM {identity} AS x
                LEFT JOIN {contacts} AS c
                  ON c.business_id = x.business_id AND c.xero_contact_id = x.source_id
                WHERE x.business_id = w.business_id AND x.source = 'xero'
                  AND x.customer_id = m.customer_id
                ORDER BY starts_with(w.deal_name, coalesce(c.display_name, '') || ' - ') DESC,
                         x.source_id
                LIMIT 1) AS xero_contact_id
        FROM won AS w
        JOIN zone AS z USING (business_id)
        LEFT JOIN {identity} AS m
          ON m.business_id = w.business_id AND m.source = 'hubspot'
         AND m.source_id = w.hubspot_contact_id
        ORDER BY won_on, w.deal_id
        """,
        [businesses],
    ).fetchall()
    return [
        DealRow(WonDeal(deal_id, business, name or "", to_cents(amount), won_on), customer, xero)
        for deal_id, business, name, amount, won_on, customer, xero in rows
    ]


_EMPTY_IDENTITY = (
    "(SELECT NULL::VARCHAR AS business_id, NULL::VARCHAR AS source, "
    "NULL::VARCHAR AS source_id, NULL::VARCHAR AS customer_id WHERE false)"
)
_EMPTY_CONTACTS = (
    "(SELECT NULL::VARCHAR AS business_id, NULL::VARCHAR AS xero_contact_id, "
    "NULL::VARCHAR AS display_name WHERE false)"
)


def current_drafts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """The highest version of every deal's draft, by deal id."""
    rows = con.execute(
        "SELECT * FROM marts.invoice_drafts "
        "QUALIFY row_number() OVER (PARTITION BY deal_id ORDER BY version DESC) = 1"
    )
    names = [d[0] for d in rows.description]
    return {r[0]: dict(zip(names, r, strict=True)) for r in rows.fetchall()}


def xero_invoices(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Every extracted Xero invoice's latest state, by InvoiceID."""
    if not has_table(con, "staging", "stg_xero__invoices"):
        return {}
    rows = con.execute(
        """
        SELECT invoice_id, business_id, type, status, reference, invoice_date, total,
               amount_due, amount_paid
        FROM staging.stg_xero__invoices
        QUALIFY row_number() OVER (PARTITION BY invoice_id ORDER BY updated_at DESC) = 1
        """
    )
    names = [d[0] for d in rows.description]
    return {r[0]: dict(zip(names, r, strict=True)) for r in rows.fetchall()}


def xero_state(invoice: dict[str, Any] | None, draft_total: int) -> XeroInvoiceState:
    """A Xero invoice's state; one not extracted yet is a fresh DRAFT of what we sent."""
    if invoice is None:
        return XeroInvoiceState("DRAFT", draft_total, 0)
    return XeroInvoiceState(
        invoice["status"], to_cents(invoice["amount_due"]), to_cents(invoice["amount_paid"])
    )


def record_version(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    """Append one version (the caller gives `version`); rows are never updated."""
    columns = list(row)
    con.execute(
        f"INSERT INTO marts.invoice_drafts ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})",
        [row[c] for c in columns],
    )


@dataclass
class DraftResult:
    created: list[str] = field(default_factory=list)  # deal ids drafted this run
    adopted: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # deal id -> why not invoiced
    sync: SyncResult = field(default_factory=SyncResult)


# put(business_id, idempotency key, body) -> the InvoiceID Xero answered with.
PutInvoice = Callable[[str, str, str], str]


def _invoice_writes(row: DealRow, invoices: DealInvoices, version: int) -> list[Outgoing]:
    drafts = [invoices.balance] + ([invoices.deposit] if invoices.deposit else [])
    contact = row.xero_contact_id or ""
    return [
        Outgoing(
            target(row.deal.business_id),
            invoice_key(row.deal.deal_id, draft.kind, version),
            row.deal.business_id,
            partial(_body, draft, contact),
        )
        for draft in drafts
    ]


def _body(draft: InvoiceDraft, contact_id: str) -> str:
    return dumps({"Invoices": [xero_invoice(draft, contact_id)]})


def _posted_ids(con: duckdb.DuckDBPyConnection, business_id: str, keys: list[str]) -> dict:
    rows = con.execute(
        "SELECT idempotency_key, object_id FROM ops.sync_log WHERE target = ? AND status = ? "
        "AND idempotency_key IN (SELECT unnest(?))",
        [target(business_id), POSTED, keys],
    ).fetchall()
    return dict(rows)


def draft_won_deals(
    con: duckdb.DuckDBPyConnection,
    businesses: list[str],
    put: PutInvoice,
    *,
    run_id: str | None,
    at: datetime | None,
    is_permanent: Callable[[BaseException], bool] = lambda exc: True,
    log: Callable[[str], None] = lambda message: None,
) -> DraftResult:
    """Draft (or adopt) every won deal without a draft yet; see the module docstring."""
    result = DraftResult()
    known = current_drafts(con)
    found = xero_invoices(con)
    adopted_ids = {d["xero_invoice_id"] for d in known.values()}
    all_rules = rules(con)
    for row in won_deals(con, businesses):
        deal = row.deal
        if deal.deal_id in known:
            continue
        rule = rule_for(deal, all_rules)
        if rule is None:
            result.skipped[deal.deal_id] = "no invoice rule matches the deal name"
            continue
        if deal.won_on < rule.effective_from:
            invoice = _hand_raised(found, deal, adopted_ids)
            if invoice is None:
                result.skipped[deal.deal_id] = "won before the cutover, no invoice to adopt"
                continue
            adopted_ids.add(invoice["invoice_id"])
            _adopt(con, row, rule, invoice, run_id=run_id, at=at)
            result.adopted.append(deal.deal_id)
            continue
        if not row.xero_contact_id:
            result.skipped[deal.deal_id] = "the deal's customer has no Xero contact yet"
            log(f"deal {deal.deal_id}: {result.skipped[deal.deal_id]}")
            continue
        invoices = invoices_for(deal, rule, deal.won_on)
        writes = _invoice_writes(row, invoices, 1)
        keys = [w.key for w in writes]
        pending = [w for w in writes if w.key not in _posted_ids(con, deal.business_id, keys)]
        sent = send_once(
            con,
            pending,
            lambda write, body: put(write.business_id, write.key, body),
            audit_target=TARGET_PREFIX.rstrip(":"),
            run_id=run_id,
            is_permanent=is_permanent,
            log=log,
            at=at,
        )
        result.sync.posted += sent.posted
        result.sync.failed += sent.failed
        ids = _posted_ids(con, deal.business_id, keys)
        if len(ids) < len(keys):
            if sent.stopped:
                result.sync.stopped = sent.stopped
                break
            continue  # refused: logged failed, retried next run with the same keys
        balance_id = ids[invoice_key(deal.deal_id, BALANCE, 1)]
        deposit_id = ids.get(invoice_key(deal.deal_id, DEPOSIT, 1))
        state = loop_state(
            XeroInvoiceState("DRAFT", invoices.balance.total_cents, 0),
            XeroInvoiceState("DRAFT", invoices.deposit_cents, 0) if deposit_id else None,
            invoices.deposit_cents,
        )
        record_version(
            con,
            _row(row, rule, 1, "backbone", "created", invoices.total_cents, invoices.deposit_cents)
            | _state_columns(state, balance_id, deposit_id, run_id, at),
        )
        result.created.append(deal.deal_id)
    return result


def _hand_raised(
    found: dict[str, dict[str, Any]], deal: WonDeal, taken: set[str]
) -> dict[str, Any] | None:
    """The bookkeeper's invoice for a deal: ACCREC, Reference = the deal's name, dated on or
    after the day it was won, not adopted by another deal; the earliest such."""
    name = deal.name.strip().casefold()
    matches = [
        inv
        for inv in found.values()
        if inv["business_id"] == deal.business_id
        and inv["type"] == "ACCREC"
        and (inv["reference"] or "").strip().casefold() == name
        and inv["invoice_date"] is not None
        and _day(inv["invoice_date"]) >= deal.won_on
        and inv["invoice_id"] not in taken
    ]
    return min(
        matches, key=lambda inv: (_day(inv["invoice_date"]), inv["invoice_id"]), default=None
    )


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _adopt(con, row: DealRow, rule: InvoiceRule, invoice: dict, *, run_id, at) -> None:
    total = to_cents(invoice["total"])
    deposit = deposit_cents(total, rule.deposit_percent)
    state = loop_state(xero_state(invoice, total), None, deposit)
    record_version(
        con,
        _row(row, rule, 1, "adopted", "adopted", total, deposit)
        | _state_columns(state, invoice["invoice_id"], None, run_id, at),
    )


def _row(row: DealRow, rule, version, origin, change, total, deposit) -> dict[str, Any]:
    return {
        "deal_id": row.deal.deal_id,
        "version": version,
        "business_id": row.deal.business_id,
        "customer_id": row.customer_id,
        "deal_name": row.deal.name,
        "deal_kind": rule.deal_kind,
        "origin": origin,
        "total": to_decimal(total),
        "deposit_due": to_decimal(deposit),
        "change": change,
    }


def _state_columns(state, balance_id, deposit_id, run_id, at) -> dict[str, Any]:
    return {
        "status": state.status,
        "xero_invoice_id": balance_id,
        "deposit_invoice_id": deposit_id,
        "amount_due": to_decimal(state.amount_due_cents),
        "delivery_status": state.delivery_status,
        "updated_at": at or datetime.now(UTC),
        "run_id": run_id,
    }
