"""One fetch from the vendor for several business dates of a window, each date landed as if it
had fetched alone.

A date's partition is fetched open-ended, everything updated since the date's local start
(landing.py), so each date of a window fetches everything the later dates fetch again: a
fourteen-day backfill asked Square for about seven times the records it has (0.1 GB of orders in
the demo), and the vendor's rate limit pays for it. Here the oldest date of each chunk of the
window fetches once, and every other date of the chunk gets what its own fetch would have
returned: the records updated since its own start, in the vendor's order (updated_at
ascending), so its counts (fetched, other dates, duplicates) and its rows are as before.

- The oldest date gets the listing as the vendor answered it, unfiltered: it is its own fetch.
- An item that has no readable `updated_at` (a record without one, a non-object) sits where the
  vendor listed it: a later date gets it when the record listed before it was updated since
  that date's start, as the vendor's own listing from that start would hold it.
- A listing that ended at a lost page (the connector cannot page past it) is not shared: a later
  date's own listing starts later and may not reach that page, so each later date fetches alone.
- An absent optional endpoint is absent for every date.
- A record whose business date is outside the chunk is kept as a stub of its two dates: the
  dates of the chunk only count it under its own date (`Balance.elsewhere`), and a long
  backfill's memory stays one chunk's records.

Square lists by update time; Xero's bank transactions (If-Modified-Since, LOOKBACK before the
date, local dates) promise no order, so there an item without a readable update time goes to
every date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pipeline.extraction.landing import Scope, home_day
from pipeline.extraction.paging import LostPage, Unavailable
from pipeline.kernel.timeutil import local_day_window, parse_ts

# Dates sharing one fetch: each chunk's fetch reaches to now, so a longer window still fetches
# its newest records once per chunk; the chunk bounds what is held in memory.
CHUNK_DAYS = 7

Fetch = Callable[[Scope, datetime, datetime | None], Iterable[Any]]


@dataclass
class _Listing:
    """A chunk's listing for one scope: (stamp, item) in the vendor's order, and whether it
    ended at a lost page."""

    items: list[tuple[datetime | None, Any]] = field(default_factory=list)
    lost: bool = False


class SharedFetch:
    """`records_for(day, fetch)` gives `land_partition` the day's share of its chunk's fetch."""

    def __init__(
        self,
        days: list[date],
        date_field: str,
        updated_field: str,
        *,
        local_dates: bool = False,
        lookback: timedelta = timedelta(0),
        ordered: bool = True,
    ) -> None:
        """`lookback`: how much before `start` the fetch asks for (Xero's If-Modified-Since
        reaches back LOOKBACK); `ordered`: whether the vendor lists by update time (Square
        does, Xero promises no order: an undated item there goes to every date)."""
        # Each date's chunk, by the chunk's first and last dates.
        self._chunk: dict[date, tuple[date, date]] = {}
        for chunk in chunk_days(days):
            for day in chunk:
                self._chunk[day] = (chunk[0], chunk[-1])
        self.date_field = date_field
        self.updated_field = updated_field
        self.local_dates = local_dates
        self.lookback = lookback
        self.ordered = ordered
        self._held: dict[tuple[date, Scope], _Listing] = {}

    def records_for(self, day: date, fetch: Fetch) -> Fetch:
        """What `day`'s own open-ended fetch would return; the chunk's first call fetches, with
        that date's `fetch` (its clients, so its ops.extract_log row counts the requests)."""
        first, last = self._chunk[day]

        def share(scope: Scope, start: datetime, end: datetime | None) -> Iterable[Any]:
            if end is not None:
                raise ValueError("a shared fetch is open-ended: records updated since a start")
            key = (first, scope)
            if key not in self._held:
                # The dates are landed oldest first: an earlier chunk's records are done with.
                self._held = {k: v for k, v in self._held.items() if k[0] == first}
                since, _ = local_day_window(scope.timezone, first)
                self._held[key] = self._hold(scope, (first, last), fetch(scope, since, None))
            listing = self._held[key]
            if day == first:
                return [item for _, item in listing.items]
            if listing.lost:
                return fetch(scope, start, None)
            since = start - self.lookback
            return [
                item
                for stamp, item in listing.items
                if isinstance(item, Unavailable)
                or (stamp is None and not self.ordered)
                or (stamp is not None and stamp >= since)
            ]

        return share

    def _hold(self, scope: Scope, chunk: tuple[date, date], items: Iterable[Any]) -> _Listing:
        first, last = chunk
        listing = _Listing()
        stamp: datetime | None = None  # the last readable updated_at, in the vendor's order
        for item in items:
            if isinstance(item, LostPage):
                listing.lost = True
            elif isinstance(item, dict):
                own = parse_ts(item.get(self.updated_field))
                stamp = own or (stamp if self.ordered else None)
                day = home_day(
                    item, scope.timezone, self.date_field, self.updated_field, self.local_dates
                )
                if day is not None and not first <= day <= last:
                    item = {
                        field: item.get(field) for field in (self.date_field, self.updated_field)
                    }
            else:  # a non-object: where it was listed, when the listing has an order
                stamp = stamp if self.ordered else None
            listing.items.append((stamp, item))
        return listing


def chunk_days(days: list[date]) -> list[list[date]]:
    """The window's dates, oldest first, in chunks of CHUNK_DAYS."""
    ordered = sorted(days)
    return [ordered[n : n + CHUNK_DAYS] for n in range(0, len(ordered), CHUNK_DAYS)]
