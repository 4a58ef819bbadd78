"""Payment status back to the CRM: after each extract of Xero invoices, every drafted deal's
state (pipeline/crm/deal_status.py) is recomputed from its invoices; a change appends a version
to marts.invoice_drafts, and HubSpot's deal gets only the backbone_* properties whose values
differ from what it last received (ops.deal_properties_sent), one PATCH per deal, each in
ops.sync_log under hubspot:deals:<business> with key 'deal-<id>-props-<n>'.

The three custom deal properties are created once per portal (ops.sync_log under
hubspot:properties:deals:<business>, key = the property name): a logged one costs no request.

HubSpot has no idempotency keys, so each PATCH is logged `pending` before it is sent. A crash
after the PATCH and before its closing log row leaves that row pending; the next run reads the
deal back (`read`) and, when HubSpot already holds the values, records them as sent instead of
sending them again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import duckdb

from pipeline.accounting.xero_journal import POSTED
from pipeline.crm.deal_status import DEAL_PROPERTY_DEFINITIONS, LoopState, changed, loop_state
from pipeline.kernel.money import to_cents, to_decimal
from pipeline.store.deal_invoicing import current_drafts, record_version, xero_invoices, xero_state
from pipeline.store.sync_log import Outgoing, SyncResult, log_write, send_once

DEALS_PREFIX = "hubspot:deals:"
PROPERTIES_PREFIX = "hubspot:properties:deals:"


def refresh_status(
    con: duckdb.DuckDBPyConnection, businesses: list[str], *, run_id: str | None, at: datetime
) -> list[str]:
    """Append a version for every draft whose Xero state moved; the deal ids that moved."""
    found = xero_invoices(con)
    moved = []
    for deal_id, draft in current_drafts(con).items():
        if draft["business_id"] not in businesses:
            continue
        state = state_of(draft, found)
        if (state.status, state.amount_due_cents, state.delivery_status) == (
            draft["status"],
            to_cents(draft["amount_due"]),
            draft["delivery_status"],
        ):
            continue
        record_version(
            con,
            {
                **{k: v for k, v in draft.items() if k not in ("approver", "note")},
                "version": draft["version"] + 1,
                "status": state.status,
                "amount_due": to_decimal(state.amount_due_cents),
                "delivery_status": state.delivery_status,
                "change": "xero_status",
                "updated_at": at,
                "run_id": run_id,
            },
        )
        moved.append(deal_id)
    return moved


def state_of(draft: dict[str, Any], found: dict[str, dict[str, Any]]) -> LoopState:
    total, deposit = to_cents(draft["total"]), to_cents(draft["deposit_due"])
    deposit_id = draft["deposit_invoice_id"]
    balance = xero_state(
        found.get(draft["xero_invoice_id"]), total - (deposit if deposit_id else 0)
    )
    deposit_state = xero_state(found.get(deposit_id), deposit) if deposit_id else None
    return loop_state(balance, deposit_state, deposit)


def ensure_properties(
    con: duckdb.DuckDBPyConnection,
    businesses: list[str],
    exists: Callable[[str, str], bool],
    create: Callable[[str, str, dict], str],
    *,
    run_id: str | None,
    at: datetime,
) -> list[str]:
    """Create Backbone's deal properties where not logged yet; (business:name) created."""
    created = []
    for business in businesses:
        target = f"{PROPERTIES_PREFIX}{business}"
        logged = {
            k
            for (k,) in con.execute(
                "SELECT idempotency_key FROM ops.sync_log WHERE target = ? AND status = ?",
                [target, POSTED],
            ).fetchall()
        }
        for definition in DEAL_PROPERTY_DEFINITIONS:
            name = definition["name"]
            if name in logged:
                continue
            if not exists(business, name):
                create(business, f"deal-property-{name}", definition)
                created.append(f"{business}:{name}")
            log_write(con, target, name, name, POSTED, run_id, at=at)
    return created


PENDING = "pending"


def push_properties(
    con: duckdb.DuckDBPyConnection,
    businesses: list[str],
    update: Callable[[str, str, str, dict], str],
    *,
    read: Callable[[str, str, list[str]], dict] | None = None,
    run_id: str | None,
    at: datetime,
    is_permanent: Callable[[BaseException], bool] = lambda exc: True,
    log: Callable[[str], None] = lambda message: None,
) -> SyncResult:
    """PATCH each deal whose backbone_* properties changed since they were last sent."""
    sent = {
        (b, d): (json.loads(p), n)
        for b, d, p, n in con.execute(
            "SELECT business_id, deal_id, properties, sends FROM ops.deal_properties_sent"
        ).fetchall()
    }
    found = xero_invoices(con)
    writes: list[Outgoing] = []
    pending: dict[str, tuple[dict, dict, int]] = {}
    for deal_id, draft in sorted(current_drafts(con).items()):
        business = draft["business_id"]
        if business not in businesses:
            continue
        current = state_of(draft, found).properties()
        last, sends = sent.get((business, deal_id), ({}, 0))
        diff = changed(current, last)
        if not diff:
            continue
        key = f"deal-{deal_id}-props-{sends + 1}"
        pending[key] = ({**last, **diff}, diff, sends + 1)
        if read is not None and _landed(con, business, key, deal_id, diff, read):
            _record(con, business, deal_id, pending[key], run_id, at)
            log_write(con, f"{DEALS_PREFIX}{business}", key, deal_id, POSTED, run_id, at=at)
            continue
        writes.append(
            Outgoing(f"{DEALS_PREFIX}{business}", key, business, partial(json.dumps, diff))
        )

    def send(write: Outgoing, body: str) -> str:
        deal_id = write.key.removeprefix("deal-").split("-props-")[0]
        log_write(con, write.target, write.key, deal_id, PENDING, run_id, at=at)
        object_id = update(write.business_id, write.key, deal_id, pending[write.key][1])
        _record(con, write.business_id, deal_id, pending[write.key], run_id, at)
        return object_id

    return send_once(
        con,
        writes,
        send,
        audit_target=DEALS_PREFIX.rstrip(":"),
        run_id=run_id,
        is_permanent=is_permanent,
        log=log,
        at=at or datetime.now(UTC),
    )


def _landed(con, business, key, deal_id, diff, read) -> bool:
    """A PATCH logged pending (the run died before its answer was logged) whose values HubSpot
    already holds: it landed, and sending it again would send each property twice."""
    row = con.execute(
        "SELECT status FROM ops.sync_log WHERE target = ? AND idempotency_key = ?",
        [f"{DEALS_PREFIX}{business}", key],
    ).fetchone()
    if row is None or row[0] != PENDING:
        return False
    held = read(business, deal_id, sorted(diff))
    return all(str(held.get(name) or "") == str(value or "") for name, value in diff.items())


def _record(con, business, deal_id, pending, run_id, at) -> None:
    whole, _, sends = pending
    con.execute(
        """
        INSERT INTO ops.deal_properties_sent VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (business_id, deal_id) DO UPDATE SET properties = excluded.properties,
            sends = excluded.sends, sent_at = excluded.sent_at, run_id = excluded.run_id
        """,
        [business, deal_id, json.dumps(whole, sort_keys=True), sends, at, run_id],
    )
