"""Segments to HubSpot: each list segment's members as a diff against what Backbone put in its
HubSpot list (adds and removes, nothing re-sent), and one task per refund follow-up.

A member needs a HubSpot contact first (pipeline/store/hubspot_contacts.py runs before); one
without one waits for the next sync. Which segments are lists and which ask for tasks is
`ref.segments.channel` (docs/crm.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from pipeline.crm.hubspot_sync import (
    BATCH_SIZE,
    MEMBERSHIP_BATCH_SIZE,
    batches,
    marker_of,
    membership_diff,
    task_properties,
)
from pipeline.store.hubspot_protocol import (
    HubSpotApi,
    Outcome,
    dead_letters,
    in_flight,
    settle,
    tracked_call,
)
from pipeline.store.transaction import transaction

LISTS = "hubspot.lists"
ADD = "hubspot.list_members.add"
REMOVE = "hubspot.list_members.remove"
TASKS = "hubspot.tasks"
LIST_CHANNELS = ("email", "sms")
TASK_TO_CONTACT = 204  # HubSpot-defined association type: task -> contact

_MEMBERS = """
SELECT m.segment, s.hubspot_list_name, m.customer_id, c.contact_id
FROM marts.segment_memberships AS m
JOIN ref.segments AS s USING (segment)
LEFT JOIN ops.crm_contacts AS c ON c.business_id = m.business_id AND c.customer_id = m.customer_id
WHERE m.business_id = ? AND list_contains(?, m.channel)
    AND m.customer_id NOT IN (SELECT customer_id FROM ops.erased_subjects)
ORDER BY ALL
"""


def _list_id(con, business_id, api, segment, name, *, run_id, at, outcome) -> str | None:
    found = con.execute(
        "SELECT object_id FROM ops.crm_objects WHERE business_id = ? AND kind = 'list' "
        "AND name = ?",
        [business_id, segment],
    ).fetchone()
    if found:
        return found[0]
    list_id = api.find_list(name)
    if list_id is None:
        list_id = tracked_call(
            con,
            LISTS,
            business_id,
            [segment],
            {"name": name},
            lambda key: api.create_list(key, name),
            lambda _answer: (1, 0),
            run_id=run_id,
            at=at,
            outcome=outcome,
        )
    if list_id is not None:
        con.execute(
            "INSERT OR REPLACE INTO ops.crm_objects VALUES (?, 'list', ?, ?)",
            [business_id, segment, list_id],
        )
    return list_id


def _reconcile_lists(con, business_id, api, *, run_id, at, outcome) -> None:
    """Membership calls left in flight: HubSpot's list says who is in it."""
    for (target, key), items in in_flight(con, business_id, (ADD, REMOVE, LISTS)).items():
        parsed = [item.split("|") for item in items]
        members: dict[str, set[str]] = {}
        if target in (ADD, REMOVE):
            for list_id in {p[3] for p in parsed}:
                members[list_id] = api.list_members(list_id)
        with transaction(con):
            if target in (ADD, REMOVE):
                for segment, customer_id, contact_id, list_id in parsed:
                    if contact_id in members[list_id]:
                        _member(con, business_id, segment, customer_id, contact_id, run_id, at)
                    else:
                        _not_member(con, business_id, segment, customer_id)
            settle(con, target, key, run_id=run_id, at=at)
        outcome.reconciled += len(items)


def _member(con, business_id, segment, customer_id, contact_id, run_id, at) -> None:
    con.execute(
        "INSERT OR IGNORE INTO ops.crm_list_members VALUES (?, ?, ?, ?, ?, ?)",
        [business_id, segment, customer_id, contact_id, at, run_id],
    )


def _not_member(con, business_id, segment, customer_id) -> None:
    con.execute(
        "DELETE FROM ops.crm_list_members WHERE business_id = ? AND segment = ? "
        "AND customer_id = ?",
        [business_id, segment, customer_id],
    )


def sync_lists(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    api: HubSpotApi,
    *,
    run_id: str | None,
    at: datetime,
) -> Outcome:
    outcome = Outcome()
    _reconcile_lists(con, business_id, api, run_id=run_id, at=at, outcome=outcome)
    desired: dict[str, dict[str, str]] = {}  # segment -> customer -> contact
    names: dict[str, str] = {}
    waiting = 0
    for segment, list_name, customer_id, contact_id in con.execute(
        _MEMBERS, [business_id, list(LIST_CHANNELS)]
    ).fetchall():
        names[segment] = list_name
        if contact_id is None:
            waiting += 1
            continue
        desired.setdefault(segment, {})[customer_id] = contact_id
    current: dict[str, dict[str, str]] = {}
    for segment, customer_id, contact_id in con.execute(
        "SELECT segment, customer_id, contact_id FROM ops.crm_list_members WHERE business_id = ?",
        [business_id],
    ).fetchall():
        current.setdefault(segment, {})[customer_id] = contact_id
    dead = []
    for segment in sorted(set(desired) | set(current)):
        want, have = desired.get(segment, {}), current.get(segment, {})
        adds, removes = membership_diff(want, have)
        if not (adds or removes):
            continue
        name = names.get(segment) or _known_name(con, segment)
        list_id = _list_id(
            con, business_id, api, segment, name, run_id=run_id, at=at, outcome=outcome
        )
        if list_id is None:
            continue
        for action, customers, contacts in (("add", adds, want), ("remove", removes, have)):
            for chunk in batches(customers, MEMBERSHIP_BATCH_SIZE):
                # A record HubSpot reports missing may have been busy: one more try, then a
                # dead letter (and the next run's diff tries again).
                for attempt in (1, 2):
                    missed = _change(
                        con, business_id, api, segment, list_id, action, chunk, contacts,
                        run_id=run_id, at=at, outcome=outcome,
                    )  # fmt: skip
                    chunk = [item["record_id"] for item in missed]
                    if not missed or attempt == 2:
                        break
                dead += missed
    dead_letters(con, "hubspot_lists", "list_membership", business_id, dead, run_id=run_id, at=at)
    outcome.errors += [f"{waiting} member(s) wait for a HubSpot contact"] if waiting else []
    return outcome


def _known_name(con, segment: str) -> str:
    row = con.execute(
        "SELECT hubspot_list_name FROM ref.segments WHERE segment = ?", [segment]
    ).fetchone()
    return row[0] if row else segment


def _change(
    con, business_id, api, segment, list_id, action, customers, contacts, *, run_id, at, outcome
) -> list[dict]:
    record_ids = [contacts[c] for c in customers]
    items = [f"{segment}|{c}|{contacts[c]}|{list_id}" for c in customers]
    dead: list[dict] = []

    def confirm(answer: dict) -> tuple[int, int]:
        missing = {str(r) for r in answer.get("recordIdsMissing") or []}
        for customer_id in customers:
            contact_id = contacts[customer_id]
            if contact_id in missing:
                dead.append(
                    {
                        "business_id": business_id,
                        "record_id": customer_id,
                        "reason": f"HubSpot has no contact {contact_id} to {action} "
                        f"({segment} list)",
                        "payload": {"segment": segment, "contact_id": contact_id},
                    }
                )
            elif action == "add":
                _member(con, business_id, segment, customer_id, contact_id, run_id, at)
            else:
                _not_member(con, business_id, segment, customer_id)
        return len(customers) - len(missing), len(missing)

    target = ADD if action == "add" else REMOVE
    tracked_call(
        con,
        target,
        business_id,
        items,
        {"list": list_id, "ids": record_ids},
        lambda key: api.change_members(key, list_id, action, record_ids),
        confirm,
        run_id=run_id,
        at=at,
        outcome=outcome,
    )
    return dead


# -- tasks ---------------------------------------------------------------------------------------

_TASKS = """
SELECT m.member_key, m.customer_id, m.since, m.reason, c.contact_id
FROM marts.segment_memberships AS m
LEFT JOIN ops.crm_contacts AS c ON c.business_id = m.business_id AND c.customer_id = m.customer_id
LEFT JOIN ops.crm_tasks AS t ON t.business_id = m.business_id AND t.member_key = m.member_key
WHERE m.business_id = ? AND m.channel = 'task' AND t.task_id IS NULL
    AND m.customer_id NOT IN (SELECT customer_id FROM ops.erased_subjects)
ORDER BY m.since, m.member_key
"""


def sync_tasks(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    api: HubSpotApi,
    *,
    run_id: str | None,
    at: datetime,
) -> Outcome:
    """One task per open membership that asks for one (refund follow-ups), created once. How
    long a refund stays open for a follow-up is the segment's window (docs/crm.md), so an old
    refund never becomes a task on a first sync."""
    outcome = Outcome()
    _reconcile_tasks(con, business_id, api, run_id=run_id, at=at, outcome=outcome)
    wanted = [
        (key, customer_id, reason, contact_id)
        for key, customer_id, _since, reason, contact_id in con.execute(
            _TASKS, [business_id]
        ).fetchall()
        if contact_id is not None
    ]
    due = at + timedelta(days=1)
    dead: list[dict] = []
    for chunk in batches(wanted, BATCH_SIZE):
        inputs = [
            {
                "properties": task_properties(key, reason or "A refund was issued.", due),
                "associations": [
                    {
                        "to": {"id": contact_id},
                        "types": [
                            {
                                "associationCategory": "HUBSPOT_DEFINED",
                                "associationTypeId": TASK_TO_CONTACT,
                            }
                        ],
                    }
                ],
            }
            for key, _, reason, contact_id in chunk
        ]
        customers = {key: customer_id for key, customer_id, _, _ in chunk}
        contacts = {key: contact_id for key, _, _, contact_id in chunk}

        def confirm(answer: dict, customers=customers) -> tuple[int, int]:
            made = set()
            for record in answer.get("results") or []:
                key = marker_of((record.get("properties") or {}).get("hs_task_body"))
                if key in customers:
                    _task(con, business_id, key, customers[key], str(record["id"]), run_id, at)
                    made.add(key)
            dead.extend(
                {
                    "business_id": business_id,
                    "record_id": key,
                    "reason": "HubSpot did not create the follow-up task (207); retried next run",
                    "payload": {"member_key": key},
                }
                for key in customers
                if key not in made
            )
            return len(made), len(customers) - len(made)

        tracked_call(
            con,
            TASKS,
            business_id,
            [f"{key}|{customer_id}|{contacts[key]}" for key, customer_id in customers.items()],
            inputs,
            lambda key, inputs=inputs: api.create_tasks(key, inputs),
            confirm,
            run_id=run_id,
            at=at,
            outcome=outcome,
        )
    dead_letters(con, "hubspot_tasks", "task", business_id, dead, run_id=run_id, at=at)
    return outcome


def _task(con, business_id, member_key, customer_id, task_id, run_id, at) -> None:
    con.execute(
        "INSERT OR IGNORE INTO ops.crm_tasks VALUES (?, ?, ?, ?, ?, ?)",
        [business_id, member_key, customer_id, task_id, at, run_id],
    )


def _reconcile_tasks(con, business_id, api, *, run_id, at, outcome) -> None:
    """Task calls left in flight: a task on the contact carrying the membership's marker was
    created. (Searching the contact's tasks, not the marker: HubSpot's search tokenizes text.)"""
    for (target, key), items in in_flight(con, business_id, (TASKS,)).items():
        found = []
        on_contact: dict[str, dict[str, str]] = {}  # contact -> marker -> task id
        for item in items:
            member_key, customer_id, contact_id = item.split("|")
            if contact_id not in on_contact:
                on_contact[contact_id] = {
                    marker_of((t.get("properties") or {}).get("hs_task_body")) or "": str(t["id"])
                    for t in api.contact_tasks(contact_id)
                }
            if member_key in on_contact[contact_id]:
                found.append((member_key, customer_id, on_contact[contact_id][member_key]))
        with transaction(con):
            for member_key, customer_id, task_id in found:
                _task(con, business_id, member_key, customer_id, task_id, run_id, at)
            settle(con, target, key, run_id=run_id, at=at)
        outcome.reconciled += len(items)
