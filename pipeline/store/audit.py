"""The audit trail: who wrote what where, with a fingerprint of exactly what was written.

ops.audit_log is append-only and hash-chained: row n holds row n-1's hash (`prev_hash`) and its
own (`row_hash` = sha256 of `prev_hash` and the row's canonical fields), so an edited, deleted or
reordered row breaks the chain at that row and `backbone audit verify` names it. Only `record`
writes the table. DuckDB lets one process write the file at a time; within a process a lock
serialises appends, and the primary key on `seq` refuses a second row with the same number, so
two writers can never fork the chain: the later one fails instead.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

GENESIS = "0" * 64
# Set on a connection by the warehouse resource (resources/warehouse.py) from the run's tags.
TRIGGER_VARIABLE = "backbone_triggered_by"
COLUMNS = (
    "seq",
    "at",
    "actor",
    "triggered_by",
    "os_user",
    "run_id",
    "action",
    "target",
    "payload_sha256",
    "prev_hash",
    "row_hash",
)
_QUOTED = ", ".join(f'"{c}"' for c in COLUMNS)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_APPEND = threading.Lock()


def fingerprint(rows: Iterable[Any]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, sort_keys=True, default=str).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def trigger_of(tags: Mapping[str, str]) -> str:
    """Who started a Dagster run, from its tags: a schedule, a sensor, a backfill, a signed-in
    UI user (Dagster+ tags `user` / `dagster/user`), the backbone CLI, else the launchpad or
    a Python call (`manual`)."""
    for tag, kind in (
        ("dagster/schedule_name", "schedule"),
        ("dagster/sensor_name", "sensor"),
        ("dagster/user", "user"),
        ("user", "user"),
        ("backbone/launched_by", "cli"),
        ("dagster/backfill", "backfill"),
    ):
        if tags.get(tag):
            return f"{kind}:{tags[tag]}"
    return "manual"


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME (some containers)
        return None


def _field(value: str | None) -> str:
    # Length-prefixed, so "ab"+"c" and "a"+"bc" differ; NULL differs from "".
    return "~" if value is None else f"{len(value.encode())}:{value}"


def canonical(prev_hash: str, seq: int, at: datetime, fields: Iterable[str | None]) -> str:
    """What `row_hash` is the sha256 of; mirrored in SQL by migration 0010 for older rows.
    `fields`: actor, triggered_by, os_user, run_id, action, target, payload_sha256."""
    micros = (at - _EPOCH) // timedelta(microseconds=1)
    return f"{prev_hash}|{seq}|{micros}|" + "".join(_field(f) for f in fields)


def row_hash(prev_hash: str, seq: int, at: datetime, fields: Iterable[str | None]) -> str:
    return hashlib.sha256(canonical(prev_hash, seq, at, fields).encode()).hexdigest()


def record(
    con: duckdb.DuckDBPyConnection,
    action: str,
    target: str,
    rows: Iterable[Any],
    *,
    run_id: str | None,
    actor: str = "pipeline",
    at: datetime | None = None,
) -> int:
    """Append one row to the chain; returns its sequence number. `at` is the run's clock
    (resources/world.py pipeline_now); None, outside a run, is the wall clock."""
    when = at or datetime.now(UTC)
    # A naive clock is UTC (stored UTC); the hash covers the instant, not its zone.
    when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    payload = fingerprint(rows)
    with _APPEND:
        (trigger,) = con.execute(f"SELECT getvariable('{TRIGGER_VARIABLE}')").fetchone()
        fields = (actor, trigger or "direct", _os_user(), run_id, action, target, payload)
        last = con.execute(
            "SELECT seq, row_hash FROM ops.audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        con.execute(
            f"INSERT INTO ops.audit_log ({_QUOTED}) VALUES ({', '.join('?' * len(COLUMNS))})",
            [seq, when, *fields, prev, row_hash(prev, seq, when, fields)],
        )
    return seq


@dataclass(frozen=True)
class Break:
    """The first row where the chain does not hold, and what is wrong with it."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"ops.audit_log row {self.seq}: {self.problem}"


def verify(con: duckdb.DuckDBPyConnection) -> tuple[int, Break | None]:
    """Walk the chain in sequence order: (rows checked, the first break or None)."""
    cursor = con.execute(f"SELECT {_QUOTED} FROM ops.audit_log ORDER BY seq")
    expected_seq, prev = 1, GENESIS
    checked = 0
    while batch := cursor.fetchmany(10_000):
        for seq, at, *fields, prev_hash, own_hash in batch:
            if seq > expected_seq:
                after = (
                    f"row {seq} follows row {expected_seq - 1}"
                    if expected_seq > 1
                    else (f"the chain starts at row {seq}")
                )
                return checked, Break(expected_seq, f"missing (deleted): {after}")
            if seq < expected_seq:
                return checked, Break(seq, "appears twice (a row was inserted)")
            if prev_hash != prev:
                return checked, Break(
                    seq,
                    f"prev_hash does not match row {seq - 1}'s hash: rows were reordered or "
                    f"swapped, or row {seq - 1} was rewritten with a new hash"
                    if seq > 1
                    else "prev_hash is not the chain's start",
                )
            if row_hash(prev_hash, seq, at, fields) != own_hash:
                return checked, Break(
                    seq, "its fields do not match its row_hash: the row was edited or moved"
                )
            expected_seq, prev = seq + 1, own_hash
            checked += 1
    return checked, None
