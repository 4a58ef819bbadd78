"""Posting a business day: read each location's facts, post them, append what is new.

The journal asset and the refund-reason form both post through `post_business_day`; they
supply the businesses in scope and the pipeline clock's reading and report what was held.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from pipeline.accounting.adjustments import entries_to_write
from pipeline.accounting.dispute_losses import DisputeLoss, losses_posted
from pipeline.accounting.holds import InputLimits
from pipeline.accounting.posting import Entry, HeldOut, post_day
from pipeline.accounting.settlement import post_settlement
from pipeline.kernel.money import to_cents
from pipeline.kernel.timeutil import business_date
from pipeline.store.journal import (
    load_days,
    load_settlements,
    locations_of,
    posted_entries,
    posting_accounts,
    unmapped_on,
)
from pipeline.store.journal_write import write_day


def input_limits(con: duckdb.DuckDBPyConnection) -> dict[str, InputLimits]:
    """Each business's currency (businesses.csv) and amount ceiling (posting_limits.csv: its
    own row, else the blank-business default row, else none)."""
    return {
        business_id: InputLimits(currency, None if ceiling is None else to_cents(ceiling))
        for business_id, currency, ceiling in con.execute(
            """SELECT b.business_id, b.currency,
                      coalesce(own.amount_ceiling, fallback.amount_ceiling)
               FROM ref.businesses AS b
               LEFT JOIN ref.posting_limits AS own
                   ON CAST(own.business_id AS VARCHAR) = b.business_id
               LEFT JOIN ref.posting_limits AS fallback ON fallback.business_id IS NULL"""
        ).fetchall()
    }


def _held_day(location_id: str, day: date, unmapped: list[tuple[str, str]]) -> list[HeldOut]:
    return [
        HeldOut(
            item,
            f"{location_id} {day} held whole: {message}; map it in reference/ "
            "(docs/reference-data.md) and re-run the day",
            whole_day=True,
        )
        for item, message in unmapped
    ]


def post_business_day(
    con: duckdb.DuckDBPyConnection,
    day: date,
    businesses: list[str],
    now: datetime,
    run_id: str,
) -> tuple[list[Entry], list[tuple[str, HeldOut]]]:
    """Post the day of every location of `businesses` (append-only); returns (new entries,
    held orders and location-days per location). Adjusting entries are dated on `now`'s date in
    each location's time zone."""
    accounts = posting_accounts(con)
    limits = input_limits(con)
    locations = locations_of(con, businesses)
    location_ids = [location_id for _, location_id, _ in locations]
    unmapped = unmapped_on(con, day, location_ids)
    entries: list[Entry] = []
    held: list[tuple[str, HeldOut]] = []
    losses: list[DisputeLoss] = []
    # One read per table for the whole day, not per location (journal.py load_days).
    posting = [loc for loc in location_ids if loc not in unmapped]
    days = load_days(con, day, posting)
    settlements = load_settlements(con, day, posting)
    already: dict[str, list] = {loc: [] for loc in posting}
    for entry in posted_entries(con, day, posting):
        already[entry.location_id].append(entry)
    for business_id, location_id, timezone in locations:
        # Postings never guess an account: a location-day with anything unmapped posts nothing,
        # so it posts complete once ops has mapped the items (its earlier postings stay). The
        # other locations, and the other days, do not wait for it.
        if location_id in unmapped:
            held += [(location_id, h) for h in _held_day(location_id, day, unmapped[location_id])]
            continue
        lines, tenders, orders = days[location_id]
        day_entries, day_held = post_day(
            business_id,
            location_id,
            day,
            lines,
            tenders,
            orders,
            accounts,
            limits.get(business_id, InputLimits()),
        )
        settled = settlements[location_id]
        day_entries += post_settlement(
            business_id,
            location_id,
            day,
            settled.payouts,
            settled.disputes,
            accounts,
            settled.deposits,
            settled.returned,
        )
        written = entries_to_write(day_entries, already[location_id], business_date(now, timezone))
        losses += losses_posted(business_id, location_id, day, settled.disputes, written)
        entries += written
        held += [(location_id, h) for h in day_held]
    write_day(con, day, location_ids, entries, held, losses, run_id, posted_at=now)
    return entries, held
