"""Writing a posted business day: one transaction that appends, never rewrites.

New entries and their lines are appended (posted ones are never touched), the day's posting
exceptions are replaced, the losses the new entries post are recorded, the write is audited,
and what was written is checked against the warehouse contracts before it commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import duckdb

from pipeline.accounting.dispute_losses import DisputeLoss
from pipeline.accounting.posting import Entry, HeldOut
from pipeline.store import audit
from pipeline.store.connection import insert_rows
from pipeline.store.transaction import transaction

ENTRY_COLUMNS = (
    "entry_id, business_id, location_id, business_date, kind, memo, total, activity_date, "
    "adjusts_entry_id, posted_at"
)


def _append_entries(
    con: duckdb.DuckDBPyConnection, entries: list[Entry], posted_at: datetime | None
) -> None:
    insert_rows(
        con,
        f"INSERT INTO marts.journal_entries ({ENTRY_COLUMNS})",
        [
            (
                e.entry_id,
                e.business_id,
                e.location_id,
                e.business_date,
                e.kind,
                e.memo,
                e.total_debit,
                e.activity_date,
                e.adjusts_entry_id,
                posted_at,
            )
            for e in entries
        ],
        "c0, c1, c2, c3, c4, c5, money(c6), c7, c8, coalesce(c9::TIMESTAMPTZ, now())",
    )
    insert_rows(
        con,
        "INSERT INTO marts.journal_lines",
        [
            (
                e.entry_id,
                n,
                line.account_code,
                line.debit,
                line.credit,
                line.memo,
                e.business_date,
                e.location_id,
            )
            for e in entries
            for n, line in enumerate(e.lines, start=1)
        ],
        "c0, c1, c2, money(c3), money(c4), c5, c6, c7",
    )


def _replace_exceptions(
    con: duckdb.DuckDBPyConnection,
    day: date,
    locations: list[str],
    held: list[tuple[str, HeldOut]],
) -> None:
    con.execute(
        "DELETE FROM marts.posting_exceptions WHERE business_date = ? "
        "AND location_id IN (SELECT unnest(?))",
        [day, locations],
    )
    insert_rows(
        con,
        "INSERT INTO marts.posting_exceptions",
        [(day, location, h.order_id, h.reason) for location, h in held],
    )


def record_losses(con: duckdb.DuckDBPyConnection, losses: Iterable[DisputeLoss]) -> None:
    """Record posted losses; a loss already recorded keeps the entry that first posted it."""
    insert_rows(
        con,
        "INSERT OR IGNORE INTO marts.dispute_losses "
        "(dispute_id, business_id, location_id, entry_id, activity_date)",
        [(x.dispute_id, x.business_id, x.location_id, x.entry_id, x.activity_date) for x in losses],
    )


def write_day(
    con: duckdb.DuckDBPyConnection,
    day: date,
    locations: list[str],
    entries: list[Entry],
    held: list[tuple[str, HeldOut]],
    losses: list[DisputeLoss],
    run_id: str,
    posted_at: datetime | None = None,
) -> None:
    """Append the new entries, replace the day's exceptions and record the losses, at once;
    `posted_at` is the run's clock (None, outside a run, is the database's)."""
    # Pandera is heavy: imported when a day is written, not when the definitions load.
    from pipeline.store.contracts import validate_table

    with transaction(con):
        _replace_exceptions(con, day, locations, held)
        _append_entries(con, entries, posted_at)
        record_losses(con, losses)
        if entries:
            audit.record(
                con,
                "post",
                f"marts.journal/{day.isoformat()}",
                (
                    (e.entry_id, [(x.account_code, x.debit, x.credit) for x in e.lines])
                    for e in entries
                ),
                run_id=run_id,
                at=posted_at,
            )
        # Only what this run wrote: posted entries were validated when they were written.
        ids = [e.entry_id for e in entries]
        for table in ("marts.journal_entries", "marts.journal_lines") if ids else ():
            validate_table(con, table, where="WHERE entry_id IN (SELECT unnest(?))", params=[ids])
