"""Exactly-once writes to HubSpot, which has no idempotency keys.

Every call follows one protocol:
1. its items are written to `ops.crm_inflight` and the call to `ops.sync_log` as `pending`,
   committed before anything is sent;
2. the call is made;
3. what HubSpot confirmed is written to the sync state (`ops.crm_*`), the log row becomes
   `sent` (or `partial`, `failed`) and the in-flight items are cleared, in one transaction.

A process that dies between 2 and 3, or a call whose outcome is unknown (the vendor still down
after the connector's retries), leaves its items in flight. The next sync first asks HubSpot
what it holds for exactly those items (`reconcile`, in the callers) and records that as the
state, so the diff that follows does not send any of them again. Two overlapping runs cannot
interleave: the sync holds the warehouse's single writer for its whole step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

import duckdb

from pipeline.accounting.xero_journal import mask_error
from pipeline.crm.hubspot_sync import idempotency_key
from pipeline.store.connection import insert_frame
from pipeline.store.dead_letters import replace_dead_letters
from pipeline.store.sync_log import log_write
from pipeline.store.transaction import transaction

T = TypeVar("T")

PENDING, SENT, PARTIAL, FAILED, RECONCILED = "pending", "sent", "partial", "failed", "reconciled"


class HubSpotApi(Protocol):
    """What the sync needs of the connector, bound to one business (resources/hubspot.py)."""

    def has_property(self, object_type: str, name: str) -> bool: ...
    def create_property(self, object_type: str, key: str, body: dict) -> str: ...
    def upsert_contacts(self, key: str, id_property: str, inputs: list) -> dict: ...
    def update_contacts(self, key: str, inputs: list) -> dict: ...
    def read_contacts(
        self, ids: list[str], properties: list[str], id_property: str | None
    ) -> list[dict]: ...
    def find_list(self, name: str) -> str | None: ...
    def create_list(self, key: str, name: str) -> str: ...
    def change_members(
        self, key: str, list_id: str, action: str, record_ids: list[str]
    ) -> dict: ...
    def list_members(self, list_id: str) -> set[str]: ...
    def create_tasks(self, key: str, inputs: list) -> dict: ...
    def contact_tasks(self, contact_id: str) -> list[dict]: ...


@dataclass
class Outcome:
    """What one sync stage did for one business (asset metadata and the demo's summary)."""

    calls: int = 0
    sent: int = 0  # items HubSpot confirmed
    refused: int = 0  # items HubSpot refused (dead-lettered, retried next run)
    reconciled: int = 0  # in-flight items settled by reading HubSpot
    errors: list[str] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.calls += other.calls
        self.sent += other.sent
        self.refused += other.refused
        self.reconciled += other.reconciled
        self.errors += other.errors


def is_unknown_outcome(exc: BaseException) -> bool:
    """An answer that says nothing was written (a 4xx refusal) vs one that leaves it open."""
    status = getattr(exc, "status_code", None)
    return not (isinstance(status, int) and 400 <= status < 500 and status != 429)


def tracked_call(
    con: duckdb.DuckDBPyConnection,
    target: str,
    business_id: str,
    items: list[str],
    payload: Any,
    call: Callable[[str], T],
    confirm: Callable[[T], tuple[int, int]],
    *,
    run_id: str | None,
    at: datetime,
    outcome: Outcome,
) -> T | None:
    """Make one HubSpot call under the protocol above. `confirm(answer)` records what HubSpot
    confirmed (inside the closing transaction) and returns (sent, refused) item counts.
    Returns the answer, or None when the call failed (logged; the caller goes on)."""
    key = idempotency_key(target, business_id, [run_id, payload])
    with transaction(con):
        log_write(con, target, key, None, PENDING, run_id, at=at)
        insert_frame(
            con,
            "ops.crm_inflight",
            ["target", "idempotency_key", "business_id", "item"],
            [(target, key, business_id, item) for item in items],
            replace=False,
        )
    outcome.calls += 1
    try:
        answer = call(key)
    except Exception as exc:  # logged per call, masked; the caller decides whether to go on
        error = mask_error(exc)
        with transaction(con):
            log_write(con, target, key, None, FAILED, run_id, error, at)
            if not is_unknown_outcome(exc):  # refused whole: nothing is in flight
                _clear(con, target, key)
        outcome.errors.append(error)
        return None
    with transaction(con):
        sent, refused = confirm(answer)
        status = SENT if not refused else (PARTIAL if sent else FAILED)
        error = f"{refused} item(s) refused; see ops.dead_letter" if refused else None
        log_write(con, target, key, None, status, run_id, error, at)
        _clear(con, target, key)
    outcome.sent += sent
    outcome.refused += refused
    return answer


def _clear(con: duckdb.DuckDBPyConnection, target: str, key: str) -> None:
    con.execute(
        "DELETE FROM ops.crm_inflight WHERE target = ? AND idempotency_key = ?", [target, key]
    )


def in_flight(
    con: duckdb.DuckDBPyConnection, business_id: str, targets: tuple[str, ...]
) -> dict[tuple[str, str], list[str]]:
    """Items left in flight by earlier syncs, per (target, key)."""
    rows = con.execute(
        "SELECT target, idempotency_key, item FROM ops.crm_inflight "
        "WHERE business_id = ? AND list_contains(?, target) ORDER BY ALL",
        [business_id, list(targets)],
    ).fetchall()
    found: dict[tuple[str, str], list[str]] = {}
    for target, key, item in rows:
        found.setdefault((target, key), []).append(item)
    return found


def settle(
    con: duckdb.DuckDBPyConnection,
    target: str,
    key: str,
    *,
    run_id: str | None,
    at: datetime,
) -> None:
    """An in-flight call whose items were read back from HubSpot is closed. Called inside the
    caller's transaction, together with the state it read back."""
    log_write(con, target, key, None, RECONCILED, run_id, at=at)
    _clear(con, target, key)


def dead_letters(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    entity: str,
    business_id: str,
    dead: list[dict],
    *,
    run_id: str | None,
    at: datetime,
) -> None:
    """A stage's current refusals for one business replace its earlier ones: a refusal that a
    later sync got through leaves ops.dead_letter."""
    replace_dead_letters(
        con,
        stage,
        dead,
        partition_key=None,
        run_id=run_id,
        source="hubspot",
        entity=entity,
        business_ids=[business_id],
        at=at,
    )
