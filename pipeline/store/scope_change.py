"""A scope change on a won deal: a structured, approved change of its amount that updates both
systems and leaves a trail.

Refused, with one line and nothing written anywhere, when the approver is empty, the deal has
no draft (unknown, not won, or not invoiced by Backbone), its invoices were raised by hand, or
it is paid or voided. Otherwise, in order:
1. the balance invoice's lines in Xero (POST /Invoices/{id}, key 'deal-<id>-balance-v<n>'),
   and the deposit invoice's while nothing of it is paid ('deal-<id>-deposit-v<n>');
2. the HubSpot deal's amount (PATCH, 'deal-<id>-amount-v<n>');
3. version n of marts.invoice_drafts, with approver and note, and a row in ops.audit_log.
Every call goes through `send_once` (ops.sync_log); a failure stops before the version is
recorded, so launching the same change again resends only what did not land, with the same keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

import duckdb

from pipeline.accounting.xero_journal import dumps
from pipeline.crm.deal_status import XeroInvoiceState, loop_state
from pipeline.crm.invoicing import (
    BALANCE,
    DEPOSIT,
    DealInvoices,
    InvoiceDraft,
    ScopeChangeRefused,
    WonDeal,
    build_invoices,
    rescope,
    xero_lines_update,
)
from pipeline.kernel.money import to_cents, to_decimal
from pipeline.store import audit
from pipeline.store.deal_invoicing import (
    current_drafts,
    invoice_key,
    record_version,
    rules,
    target,
    xero_invoices,
)
from pipeline.store.deal_status_sync import DEALS_PREFIX
from pipeline.store.sync_log import Outgoing, send_once

# (business, key, invoice id, body) -> InvoiceID; (business, key, deal id, properties) -> id.
UpdateInvoice = Callable[[str, str, str, str], str]
UpdateDeal = Callable[[str, str, str, dict], str]


@dataclass(frozen=True)
class ScopeChange:
    deal_id: str
    new_amount: Decimal
    approver: str
    note: str


def apply_scope_change(
    con: duckdb.DuckDBPyConnection,
    change: ScopeChange,
    update_invoice: UpdateInvoice,
    update_deal: UpdateDeal,
    *,
    run_id: str | None,
    at: datetime,
) -> dict:
    """Apply the change (see the module docstring); the new version's row. Raises
    ScopeChangeRefused (a one-line reason) before any write when it cannot be applied."""
    approver = change.approver.strip()
    if not approver:
        raise ScopeChangeRefused("a scope change needs an approver: nothing was changed")
    draft = current_drafts(con).get(change.deal_id)
    if draft is None:
        raise ScopeChangeRefused(
            f"deal {change.deal_id} has no invoice draft: unknown, not won, or not yet drafted"
        )
    if draft["origin"] != "backbone":
        raise ScopeChangeRefused(
            f"deal {change.deal_id} was invoiced by hand before the cutover: change it in Xero"
        )
    if draft["status"] in ("paid", "voided"):
        raise ScopeChangeRefused(f"deal {change.deal_id} is already {draft['status']}")
    new_cents = to_cents(change.new_amount)
    if Decimal(change.new_amount) != to_decimal(new_cents):
        raise ScopeChangeRefused("the new amount must be in whole cents")
    rule = next(
        (
            r
            for r in rules(con)
            if (r.business_id, r.deal_kind) == (draft["business_id"], draft["deal_kind"])
        ),
        None,
    )
    if rule is None:
        raise ScopeChangeRefused(f"no invoice rule for {draft['business_id']} {draft['deal_kind']}")
    found = xero_invoices(con)
    deposit_id = draft["deposit_invoice_id"]
    deposit_paid = to_cents(found[deposit_id]["amount_paid"]) if deposit_id in found else 0
    balance_paid = (
        to_cents(found[draft["xero_invoice_id"]]["amount_paid"])
        if draft["xero_invoice_id"] in found
        else 0
    )
    if balance_paid:
        raise ScopeChangeRefused(f"deal {change.deal_id} has a payment on its balance invoice")
    deal = WonDeal(
        change.deal_id,
        draft["business_id"],
        draft["deal_name"],
        to_cents(draft["total"]),
        at.date(),
    )
    current = build_invoices(
        deal, rule, deal.amount_cents, to_cents(draft["deposit_due"]), at.date()
    )
    new = rescope(current, new_cents, deposit_paid)
    version = draft["version"] + 1
    business = draft["business_id"]
    writes = [_invoice_update(business, draft["xero_invoice_id"], new.balance, version)]
    if deposit_id and new.deposit and new.deposit_cents != current.deposit_cents:
        writes.append(_invoice_update(business, deposit_id, new.deposit, version))
    _send(
        con,
        writes,
        lambda w, body: update_invoice(w.business_id, w.key, w.key_of, body),
        run_id,
        at,
    )
    amount = {"amount": f"{to_decimal(new_cents):f}"}
    deal_write = _Write(
        f"{DEALS_PREFIX}{business}",
        f"deal-{change.deal_id}-amount-v{version}",
        business,
        lambda: "",
        change.deal_id,
    )
    _send(
        con,
        [deal_write],
        lambda w, _: update_deal(w.business_id, w.key, w.key_of, amount),
        run_id,
        at,
    )
    row = _version_row(draft, new, version, found, approver, change.note, run_id, at)
    record_version(con, row)
    audit.record(
        con,
        "scope_change",
        f"deal:{change.deal_id}",
        [
            {
                "deal_id": change.deal_id,
                "version": version,
                "old_total": str(draft["total"]),
                "new_total": str(to_decimal(new_cents)),
                "deposit_due": str(to_decimal(new.deposit_cents)),
                "note": change.note,
            }
        ],
        run_id=run_id,
        actor=approver,
        at=at,
    )
    return row


@dataclass(frozen=True)
class _Write(Outgoing):
    key_of: str = ""  # the object the write is about (invoice id, deal id)


def _invoice_update(business: str, invoice_id: str, draft: InvoiceDraft, version: int) -> _Write:
    kind = BALANCE if draft.kind == BALANCE else DEPOSIT
    return _Write(
        target(business),
        invoice_key(draft.deal_id, kind, version),
        business,
        partial(_update_body, draft),
        invoice_id,
    )


def _update_body(draft: InvoiceDraft) -> str:
    return dumps({"Invoices": [xero_lines_update(draft)]})


def _send(con, writes, send, run_id, at) -> None:
    result = send_once(con, writes, send, audit_target="scope_change", run_id=run_id, at=at)
    if result.failed:
        key, error = result.failed[0]
        raise RuntimeError(
            f"scope change not applied, {key} failed (retry the same change): {error}"
        )


def _version_row(draft, new: DealInvoices, version, found, approver, note, run_id, at) -> dict:
    def state(invoice_id: str | None, total: int) -> XeroInvoiceState | None:
        if invoice_id is None:
            return None
        inv = found.get(invoice_id)
        paid = to_cents(inv["amount_paid"]) if inv else 0
        return XeroInvoiceState(inv["status"] if inv else "DRAFT", total - paid, paid)

    balance = state(draft["xero_invoice_id"], new.balance.total_cents)
    deposit = state(draft["deposit_invoice_id"], new.deposit_cents)
    loop = loop_state(balance, deposit, new.deposit_cents)
    return {
        **draft,
        "version": version,
        "total": to_decimal(new.total_cents),
        "deposit_due": to_decimal(new.deposit_cents),
        "status": loop.status,
        "amount_due": to_decimal(loop.amount_due_cents),
        "delivery_status": loop.delivery_status,
        "change": "scope_change",
        "approver": approver,
        "note": note,
        "updated_at": at,
        "run_id": run_id,
    }
