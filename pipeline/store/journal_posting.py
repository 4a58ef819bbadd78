"""Posting a business day: read each location's facts, post them, append what is new.

The journal asset and the refund-reason form both post through `post_business_day`; they
supply the businesses in scope and the pipeline clock's reading and report what was held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from pipeline.accounting.adjustments import PostedEntry, entries_to_write
from pipeline.accounting.dispute_losses import DisputeLoss, losses_posted
from pipeline.accounting.holds import InputLimits
from pipeline.accounting.posting import Entry, HeldOut, PostingAccounts, post_day
from pipeline.accounting.settlement import post_settlement
from pipeline.kernel.money import to_cents
from pipeline.kernel.timeutil import business_date
from pipeline.store.journal import (
    Settlement,
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


# Locations read per query: one query per table for many locations keeps the reads few (read
# one location at a time, they were most of the posting time of a 200-location day), and a
# batch's facts held as Python objects bound the memory of a very large day.
READ_BATCH = 500


@dataclass(frozen=True)
class _DayReads:
    """What posting reads for a batch of locations' day, by location."""

    facts: dict[str, tuple[list, list, list]]  # lines, tenders, orders
    settlements: dict[str, Settlement]
    posted: dict[str, list[PostedEntry]]


def _by_location(posted: list[PostedEntry], location_ids: list[str]) -> dict[str, list]:
    grouped: dict[str, list[PostedEntry]] = {location_id: [] for location_id in location_ids}
    for entry in posted:
        grouped[entry.location_id].append(entry)
    return grouped


def _post_location(
    business_id: str,
    location_id: str,
    day: date,
    reads: _DayReads,
    accounts: PostingAccounts,
    limits: InputLimits,
    adjusting_date: date,
) -> tuple[list[Entry], list[HeldOut], list[DisputeLoss]]:
    """One location's day: its sales, returns, fees and settlement, less what is posted."""
    lines, tenders, orders = reads.facts[location_id]
    day_entries, held = post_day(
        business_id, location_id, day, lines, tenders, orders, accounts, limits
    )
    settled = reads.settlements[location_id]
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
    written = entries_to_write(day_entries, reads.posted[location_id], adjusting_date)
    losses = losses_posted(business_id, location_id, day, settled.disputes, written)
    return written, held, losses


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
    for first in range(0, len(locations), READ_BATCH):
        batch = locations[first : first + READ_BATCH]
        posting = [loc for _, loc, _ in batch if loc not in unmapped]
        reads = _DayReads(
            load_days(con, day, posting),
            load_settlements(con, day, posting),
            _by_location(posted_entries(con, day, posting), posting),
        )
        for business_id, location_id, timezone in batch:
            # Postings never guess an account: a location-day with anything unmapped posts
            # nothing, so it posts complete once ops has mapped the items (its earlier postings
            # stay). The other locations, and the other days, do not wait for it.
            if location_id in unmapped:
                held += [
                    (location_id, h) for h in _held_day(location_id, day, unmapped[location_id])
                ]
                continue
            written, day_held, day_losses = _post_location(
                business_id,
                location_id,
                day,
                reads,
                accounts,
                limits.get(business_id, InputLimits()),
                business_date(now, timezone),
            )
            entries += written
            held += [(location_id, h) for h in day_held]
            losses += day_losses
    write_day(con, day, location_ids, entries, held, losses, run_id, posted_at=now)
    return entries, held
