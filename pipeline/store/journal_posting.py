"""Posting a business day: read each location's facts, post them, append what is new.

The journal asset and the refund-reason form both post through `post_business_day`; they
supply the businesses in scope and the pipeline clock's reading, and turn a refusal into a
Dagster failure.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from pipeline.accounting.adjustments import entries_to_write
from pipeline.accounting.dispute_losses import DisputeLoss, losses_posted
from pipeline.accounting.posting import Entry, HeldOut, post_day
from pipeline.accounting.settlement import post_settlement
from pipeline.kernel.timeutil import business_date
from pipeline.store.journal import (
    load_day,
    load_settlement,
    locations_of,
    posted_entries,
    posting_accounts,
    unmapped_on,
)
from pipeline.store.journal_write import write_day

SHOWN_UNMAPPED = 10


class UnmappedItemsError(Exception):
    """A day refused whole: the reference dictionaries do not map everything it holds."""

    def __init__(self, day: date, unmapped: list[str]) -> None:
        self.day = day
        self.unmapped = unmapped
        listing = "; ".join(unmapped[:SHOWN_UNMAPPED])
        if len(unmapped) > SHOWN_UNMAPPED:
            listing += " ..."
        super().__init__(
            f"{day} not posted: {len(unmapped)} unmapped item(s): {listing}. "
            "Map them in reference/ (docs/reference-data.md) and re-run."
        )


def post_business_day(
    con: duckdb.DuckDBPyConnection,
    day: date,
    businesses: list[str],
    now: datetime,
    run_id: str,
) -> tuple[list[Entry], list[tuple[str, HeldOut]]]:
    """Post the day of every location of `businesses` (append-only); returns (new entries,
    held orders per location). Adjusting entries are dated on `now`'s date in each location's
    time zone. Raises UnmappedItemsError, writing nothing, if anything is unmapped."""
    accounts = posting_accounts(con)
    locations = locations_of(con, businesses)
    location_ids = [location_id for _, location_id, _ in locations]
    # Postings never guess an account: a day with anything unmapped is refused whole,
    # so it posts complete once ops has mapped the items (its earlier postings stay).
    unmapped = unmapped_on(con, day, location_ids)
    if unmapped:
        raise UnmappedItemsError(day, unmapped)
    entries: list[Entry] = []
    held: list[tuple[str, HeldOut]] = []
    losses: list[DisputeLoss] = []
    for business_id, location_id, timezone in locations:
        lines, tenders, orders = load_day(con, day, location_id)
        day_entries, day_held = post_day(
            business_id, location_id, day, lines, tenders, orders, accounts
        )
        payouts, disputes = load_settlement(con, day, location_id)
        day_entries += post_settlement(business_id, location_id, day, payouts, disputes, accounts)
        posted = posted_entries(con, day, [location_id])
        written = entries_to_write(day_entries, posted, business_date(now, timezone))
        losses += losses_posted(business_id, location_id, day, disputes, written)
        entries += written
        held += [(location_id, h) for h in day_held]
    write_day(con, day, location_ids, entries, held, losses, run_id, posted_at=now)
    return entries, held
