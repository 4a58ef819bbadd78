"""Customer facts to HubSpot contacts: custom properties created once, then only the properties
whose values changed since the last successful sync, upserted by Backbone's customer id.

Which contact a customer is: the HubSpot contact the identity graph linked to them (the oldest,
if several), stamped with the customer's id by a batch update on first sync; for a customer
HubSpot does not know, the upsert creates one. Only customers reachable by email or phone, or
already in HubSpot, are synced: a name-only contact would be noise in the CRM.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

import duckdb

from pipeline.crm.hubspot_sync import (
    BATCH_SIZE,
    CUSTOM_PROPERTIES,
    ID_PROPERTY,
    batches,
    changed_properties,
    contact_properties,
    digest,
)
from pipeline.kernel.normalize import mask_text
from pipeline.store.connection import insert_frame
from pipeline.store.hubspot_protocol import (
    HubSpotApi,
    Outcome,
    dead_letters,
    in_flight,
    settle,
    tracked_call,
)
from pipeline.store.transaction import transaction

PROPERTIES = "hubspot.properties"
UPSERT = "hubspot.contacts.upsert"
STAMP = "hubspot.contacts.stamp"
DEAD_LETTER_STAGE = "hubspot_contacts"

_DESIRED = """
WITH wanted AS (
    SELECT customer_id FROM marts.customer_facts WHERE business_id = $b
    UNION
    SELECT customer_id FROM marts.segment_memberships WHERE business_id = $b
),
suggested AS (
    SELECT customer_id, string_agg(DISTINCT item, ';' ORDER BY item) AS suggestions
    FROM (
        SELECT customer_id, unnest(string_split(suggestions, ';')) AS item
        FROM marts.segment_memberships
        WHERE business_id = $b AND marketing AND suggestions IS NOT NULL
    )
    GROUP BY customer_id
),
hub AS (
    SELECT customer_id, arg_min(source_id, TRY_CAST(source_id AS BIGINT)) AS contact_id
    FROM core.identity_map
    WHERE source = 'hubspot' AND business_id = $b
    GROUP BY customer_id
)
SELECT w.customer_id, f.visits, f.first_purchase, f.last_purchase, f.gross_sales, f.refunds,
       f.net_ltv, f.vip_tier, f.categories, f.brands, f.sizes, g.suggestions,
       c.email, c.given_name, c.family_name, c.phone, h.contact_id AS linked_contact,
       s.contact_id AS synced_contact
FROM wanted AS w
JOIN core.customers AS c USING (customer_id)
LEFT JOIN marts.customer_facts AS f ON f.customer_id = w.customer_id AND f.business_id = $b
LEFT JOIN hub AS h USING (customer_id)
LEFT JOIN suggested AS g USING (customer_id)
LEFT JOIN ops.crm_contacts AS s ON s.customer_id = w.customer_id AND s.business_id = $b
WHERE (c.email IS NOT NULL OR c.phone IS NOT NULL OR h.contact_id IS NOT NULL
    OR s.contact_id IS NOT NULL)
    -- An erased person is never sent to HubSpot again (ops.erasure_log, backbone erase).
    AND w.customer_id NOT IN (SELECT customer_id FROM ops.erased_subjects)
ORDER BY w.customer_id
"""


def ensure_properties(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    api: HubSpotApi,
    *,
    run_id: str | None,
    at: datetime,
    outcome: Outcome,
) -> bool:
    """Backbone's custom contact properties exist in the portal (created once, remembered in
    ops.crm_objects). False when one could not be created: nothing else should be sent."""
    known = {
        row[0]
        for row in con.execute(
            "SELECT name FROM ops.crm_objects WHERE business_id = ? AND kind = 'property'",
            [business_id],
        ).fetchall()
    }
    for spec in CUSTOM_PROPERTIES:
        if spec.name in known:
            continue
        if not api.has_property("contacts", spec.name):
            done = tracked_call(
                con,
                PROPERTIES,
                business_id,
                [spec.name],
                spec.definition(),
                lambda key, spec=spec: api.create_property("contacts", key, spec.definition()),
                lambda _answer: (1, 0),
                run_id=run_id,
                at=at,
                outcome=outcome,
            )
            if done is None:
                return False
        con.execute(
            "INSERT OR IGNORE INTO ops.crm_objects VALUES (?, 'property', ?, ?)",
            [business_id, spec.name, spec.name],
        )
    return True


def _desired(con: duckdb.DuckDBPyConnection, business_id: str) -> list[dict[str, Any]]:
    cursor = con.execute(_DESIRED, {"b": business_id})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _state(con: duckdb.DuckDBPyConnection, business_id: str) -> dict[str, dict[str, str]]:
    state: dict[str, dict[str, str]] = {}
    for customer_id, prop, value in con.execute(
        "SELECT customer_id, property, value_sha256 FROM ops.crm_contact_state "
        "WHERE business_id = ?",
        [business_id],
    ).fetchall():
        state.setdefault(customer_id, {})[prop] = value
    return state


def _remember(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    synced: list[tuple[str, str, dict[str, str]]],
    run_id: str | None,
    at: datetime,
) -> None:
    """(customer, contact, properties HubSpot confirmed) as the new diff base."""
    state = [
        (business_id, customer_id, name, digest(value), at, run_id)
        for customer_id, _, props in synced
        for name, value in props.items()
    ]
    columns = ["business_id", "customer_id", "property", "value_sha256", "synced_at", "run_id"]
    insert_frame(con, "ops.crm_contact_state", columns, state, replace=True)
    contacts = [(business_id, customer_id, contact_id, at) for customer_id, contact_id, _ in synced]
    columns = ["business_id", "customer_id", "contact_id", "synced_at"]
    insert_frame(con, "ops.crm_contacts", columns, contacts, replace=True)


def _same(sent: str, held: str | None) -> bool:
    """HubSpot may write a number or date back in its own form (120.50 -> 120.5)."""
    if held is None:
        return sent == ""
    if sent == held:
        return True
    try:
        return Decimal(sent) == Decimal(held)
    except (InvalidOperation, ValueError):
        return held.startswith(sent) and len(sent) == 10  # a date read back with a time


def _reconcile(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    api: HubSpotApi,
    desired: dict[str, dict[str, str]],
    *,
    run_id: str | None,
    at: datetime,
    outcome: Outcome,
) -> None:
    """Contacts left in flight: record what HubSpot holds for them as synced."""
    for (target, key), items in in_flight(con, business_id, (UPSERT, STAMP, PROPERTIES)).items():
        found: list[tuple[str, str, dict]] = []
        if target in (UPSERT, STAMP):
            customers = [item.split("|")[0] for item in items]
            names = sorted({n for c in customers for n in desired.get(c, {})} | {ID_PROPERTY})
            for chunk in batches(customers, BATCH_SIZE):
                for record in api.read_contacts(chunk, names, ID_PROPERTY):
                    props = record.get("properties") or {}
                    customer_id = props.get(ID_PROPERTY)
                    if customer_id in desired:
                        found.append((customer_id, str(record["id"]), props))
        agreed = [
            (
                customer_id,
                contact_id,
                {n: v for n, v in desired[customer_id].items() if _same(v, held.get(n))},
            )
            for customer_id, contact_id, held in found
        ]
        with transaction(con):
            _remember(con, business_id, agreed, run_id, at)
            settle(con, target, key, run_id=run_id, at=at)
        outcome.reconciled += len(items)


def _refused(answer: dict, inputs: list[dict], by: str) -> list[tuple[dict, str]]:
    """Inputs HubSpot did not confirm (a 207 names them in `errors`), each with its reason."""
    done = {str(r.get("id")) for r in answer.get("results") or []} | {
        str((r.get("properties") or {}).get(ID_PROPERTY)) for r in answer.get("results") or []
    }
    reasons = [
        str(e.get("message") or e.get("category") or "refused") for e in answer.get("errors") or []
    ]
    out = []
    for item in inputs:
        if str(item[by]) not in done:
            named = [r for r in reasons if str(item[by]) in r]
            out.append((item, (named or reasons or ["HubSpot did not confirm this input"])[0]))
    return out


def sync_contacts(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    api: HubSpotApi,
    *,
    run_id: str | None,
    at: datetime,
) -> Outcome:
    """Send each customer's changed properties once; refused inputs are retried once in the same
    run, then dead-lettered (and retried by the next run, whose diff still holds them)."""
    outcome = Outcome()
    if not ensure_properties(con, business_id, api, run_id=run_id, at=at, outcome=outcome):
        return outcome
    rows = _desired(con, business_id)
    desired: dict[str, dict[str, str]] = {}
    linked: dict[str, str | None] = {}
    for row in rows:
        known = bool(row["linked_contact"] or row["synced_contact"])
        desired[row["customer_id"]] = contact_properties(row, known_to_hubspot=known)
        linked[row["customer_id"]] = None if row["synced_contact"] else row["linked_contact"]
    _reconcile(con, business_id, api, desired, run_id=run_id, at=at, outcome=outcome)
    state = _state(con, business_id)
    upserts, stamps = [], []
    for customer_id, props in desired.items():
        changes = changed_properties(props, state.get(customer_id, {}))
        if not changes:
            continue
        if linked[customer_id]:
            stamps.append({"id": linked[customer_id], "customer": customer_id, "props": changes})
        else:
            upserts.append({"id": customer_id, "customer": customer_id, "props": changes})
    # A 207's refused inputs get one more try now (HubSpot's own advice for transient per-input
    # errors); a call that failed whole is not repeated here: its outcome may be unknown.
    failed: list[tuple[dict, str]] = []
    for attempt in (1, 2):
        refused_u, failed_u = _send(con, business_id, api, UPSERT, upserts, run_id, at, outcome)
        refused_s, failed_s = _send(con, business_id, api, STAMP, stamps, run_id, at, outcome)
        failed += failed_u + failed_s
        upserts, stamps = [i for i, _ in refused_u], [i for i, _ in refused_s]
        if attempt == 2 or not (upserts or stamps):
            failed += refused_u + refused_s
            break
    dead = [
        {
            "business_id": business_id,
            "record_id": item["customer"],
            "reason": f"HubSpot refused the contact: {_redacted(reason, item['props'])}"[:300],
            # Property names only: the values are emails, phones and money.
            "payload": {"properties": sorted(item["props"])},
        }
        for item, reason in failed
    ]
    dead_letters(con, DEAD_LETTER_STAGE, "contact", business_id, dead, run_id=run_id, at=at)
    return outcome


Failures = list[tuple[dict, str]]


def _redacted(reason: str, sent: dict[str, str]) -> str:
    """HubSpot echoes the values it refuses ("Email address x@ is invalid"): every value sent
    for the contact is cut from the reason, then emails and phones are masked."""
    for value in sorted(sent.values(), key=len, reverse=True):
        if len(value) >= 3:
            reason = reason.replace(value, "***")
    return mask_text(reason)


def _send(con, business_id, api, target, items, run_id, at, outcome) -> tuple[Failures, Failures]:
    """Upserts (by Backbone's id) or stamps (by HubSpot's record id) in batches: (inputs HubSpot
    refused, inputs of calls that failed whole), each with the reason."""
    refused: Failures = []
    failed: Failures = []
    for chunk in batches(items, BATCH_SIZE):
        inputs = [{"id": i["id"], "properties": i["props"]} for i in chunk]
        by_id = {str(i["id"]): i for i in chunk}
        by_customer = {i["customer"]: i for i in chunk}

        def confirm(answer: dict, inputs=inputs, by_id=by_id, by_customer=by_customer):
            synced = []
            for record in answer.get("results") or []:
                customer_id = (record.get("properties") or {}).get(ID_PROPERTY)
                item = by_customer.get(customer_id) or by_id.get(str(record.get("id")))
                if item is not None:
                    synced.append((item["customer"], str(record["id"]), item["props"]))
            _remember(con, business_id, synced, run_id, at)
            bad = _refused(answer, inputs, "id")
            refused.extend((by_id[str(i["id"])], why) for i, why in bad)
            return len(inputs) - len(bad), len(bad)

        if target == UPSERT:
            call = partial(api.upsert_contacts, id_property=ID_PROPERTY, inputs=inputs)
        else:
            call = partial(api.update_contacts, inputs=inputs)
        answer = tracked_call(
            con,
            target,
            business_id,
            [f"{i['customer']}|{i['id']}" for i in chunk],
            inputs,
            lambda key, call=call: call(key),
            confirm,
            run_id=run_id,
            at=at,
            outcome=outcome,
        )
        if answer is None:
            failed.extend((i, outcome.errors[-1]) for i in chunk)
    return refused, failed
