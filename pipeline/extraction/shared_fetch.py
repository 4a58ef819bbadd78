"""One fetch from the vendor for several business dates of a window, each date landed as if it
had fetched alone.

A date's partition is fetched open-ended, everything updated since the date's local start
(landing.py), so each date of a window fetches everything the later dates fetch again: a
fourteen-day backfill asked Square for about seven times the records it has (0.1 GB of orders in
the demo), and the vendor's rate limit pays for it. Here the oldest date of each chunk of the
window fetches once, and every date of the chunk gets exactly what its own fetch would have
returned: the records updated since its own start, in the vendor's order (updated_at
ascending), so its counts (fetched, other dates, duplicates) and its rows are as before.

What is not a dated record stays in every date's share: a lost page could have held records of
any of them (each date is marked partial and dead-letters the request, as its own fetch
would), an absent optional endpoint is absent for all, and a record whose `updated_at` cannot
be read is given to all, as the vendor's own filter could not place it either. A record whose
business date is outside the chunk is kept as a stub of its two dates: the dates of the chunk
only count it under its own date (`Balance.elsewhere`), and a long backfill's memory stays one
chunk's records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from pipeline.extraction.landing import Scope, home_day
from pipeline.kernel.timeutil import local_day_window, parse_ts

# Dates sharing one fetch: each chunk's fetch reaches to now, so a longer window still fetches
# its newest records once per chunk; the chunk bounds what is held in memory.
CHUNK_DAYS = 7

Fetch = Callable[[Scope, datetime, datetime | None], Iterable[Any]]


class SharedFetch:
    """`records_for(day, fetch)` gives `land_partition` the day's share of its chunk's fetch."""

    def __init__(self, days: list[date], date_field: str, updated_field: str) -> None:
        # Each date's chunk, by the chunk's first and last dates.
        self._chunk: dict[date, tuple[date, date]] = {}
        for chunk in chunk_days(days):
            for day in chunk:
                self._chunk[day] = (chunk[0], chunk[-1])
        self.date_field = date_field
        self.updated_field = updated_field
        # (chunk's first date, scope) -> [(updated_at or None, item)], in the vendor's order.
        self._held: dict[tuple[date, Scope], list[tuple[datetime | None, Any]]] = {}

    def records_for(self, day: date, fetch: Fetch) -> Fetch:
        """What `day`'s own open-ended fetch would return; the chunk's first call fetches, with
        that date's `fetch` (its clients, so its ops.extract_log row counts the requests)."""
        first, last = self._chunk[day]

        def share(scope: Scope, start: datetime, end: datetime | None) -> list[Any]:
            if end is not None:
                raise ValueError("a shared fetch is open-ended: records updated since a start")
            key = (first, scope)
            if key not in self._held:
                # The dates are landed oldest first: an earlier chunk's records are done with.
                self._held = {k: v for k, v in self._held.items() if k[0] == first}
                since, _ = local_day_window(scope.timezone, first)
                self._held[key] = self._hold(scope, (first, last), fetch(scope, since, None))
            return [item for stamp, item in self._held[key] if stamp is None or stamp >= start]

        return share

    def _hold(self, scope: Scope, chunk: tuple[date, date], items: Iterable[Any]) -> list:
        first, last = chunk
        held = []
        for item in items:
            if not isinstance(item, dict):  # a lost page, an absent endpoint, a non-object
                held.append((None, item))
                continue
            stamp = parse_ts(item.get(self.updated_field))
            day = home_day(item, scope.timezone, self.date_field, self.updated_field)
            if stamp is not None and day is not None and not first <= day <= last:
                item = {field: item.get(field) for field in (self.date_field, self.updated_field)}
            held.append((stamp, item))
        return held


def chunk_days(days: list[date]) -> list[list[date]]:
    """The window's dates, oldest first, in chunks of CHUNK_DAYS."""
    ordered = sorted(days)
    return [ordered[n : n + CHUNK_DAYS] for n in range(0, len(ordered), CHUNK_DAYS)]
