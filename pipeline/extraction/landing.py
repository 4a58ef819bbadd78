"""Landing vendor records in raw.* tables: every record ends in raw, in ops.dead_letter, or in
a count (filed under another business date, or a duplicate within the fetch).

Daily partitions are business dates in each location's time zone. A partition is fetched
incrementally by `updated_at`, from the day's local start (nothing sold that day can have
changed before it) up to now, and a record is kept only if its own business date is the
partition's. So a payment refunded a week later, whose `updated_at` moved, still lands in its
sale's day; this partition counts it under its own date (`Balance.elsewhere`) instead of
dropping it silently. Offline POS sales sync up to 72 h late: the daily schedule therefore
re-extracts the three business dates before yesterday too (LOOKBACK). Each partition is
replaced in one transaction, so a re-run over the same source data gives the same rows.

Conservation, per business and extract: fetched = landed + dead-lettered + other date +
duplicates (`Balance.conserved`). Pages lost whole (`LostPage`) are dead-lettered too but hold
an unknown number of records, so they are counted apart and mark the extract partial.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from pipeline.extraction.oversized import MAX_FIELD_BYTES, oversized_problem
from pipeline.extraction.paging import LostPage, Unavailable
from pipeline.kernel.timeutil import business_date, local_day_window, parse_ts, utcnow

LOOKBACK = timedelta(hours=72)


@dataclass(frozen=True)
class Scope:
    """What one fetch covers: a business, optionally one of its locations, and its time zone."""

    business_id: str
    location_id: str | None
    timezone: str


class RawRow(NamedTuple):
    """One row of a raw.* table, in RAW_COLUMNS order."""

    record_id: str
    business_id: str
    location_id: str | None
    business_date: date | None
    partition_key: str | None
    updated_at: datetime | None
    payload: str
    extracted_at: datetime
    run_id: str | None


@dataclass
class Tally:
    """What one business's fetch held besides landed rows and record dead letters."""

    fetched: int = 0
    other_date: int = 0
    duplicates: int = 0
    lost_pages: int = 0
    elsewhere: Counter[str] = field(default_factory=Counter)  # business date -> records
    warnings: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.fetched += other.fetched
        self.other_date += other.other_date
        self.duplicates += other.duplicates
        self.lost_pages += other.lost_pages
        self.elsewhere.update(other.elsewhere)
        self.warnings += other.warnings


class Balance(NamedTuple):
    """One business's extract accounted for: what came in and where each record went."""

    fetched: int
    landed: int
    dead_letters: int
    other_date: int
    duplicates: int
    lost_pages: int
    elsewhere: dict[str, int]
    warning: str | None

    @property
    def conserved(self) -> bool:
        return self.fetched == self.landed + self.dead_letters + self.other_date + self.duplicates

    @property
    def status(self) -> str:
        """`partial` when a page was lost, `unavailable` when an optional endpoint was absent."""
        if self.lost_pages:
            return "partial"
        return "unavailable" if self.warning else "ok"

    def describe(self) -> str:
        return (
            f"fetched {self.fetched} = landed {self.landed} + dead-lettered {self.dead_letters}"
            f" + other dates {self.other_date} + duplicates {self.duplicates}"
            f"; pages lost {self.lost_pages}"
        )


@dataclass
class Landing:
    rows: list[RawRow] = field(default_factory=list)
    dead: list[dict[str, Any]] = field(default_factory=list)
    tallies: dict[str, Tally] = field(default_factory=dict)

    def tally(self, business_id: str) -> Tally:
        return self.tallies.setdefault(business_id, Tally())

    def keep(
        self,
        record: dict,
        record_id: str,
        business_id: str,
        location_id: str | None,
        day: date | None,
        updated_field: str,
        extracted_at: datetime,
        run_id: str | None,
    ) -> None:
        self.rows.append(
            RawRow(
                record_id,
                business_id,
                record.get("location_id") or location_id,
                day,
                day.isoformat() if day else None,
                parse_ts(record.get(updated_field)),
                json.dumps(record, sort_keys=True),
                extracted_at,
                run_id,
            )
        )

    def reject(
        self,
        business_id: str,
        source: str,
        entity: str,
        record: Any,
        record_id: str | None,
        reason: str,
    ) -> None:
        self.dead.append(
            {
                "business_id": business_id,
                "source": source,
                "entity": entity,
                "record_id": record_id,
                "reason": reason,
                "payload": record,
            }
        )

    def extend(self, other: Landing) -> None:
        self.rows += other.rows
        self.dead += other.dead
        for business_id, tally in other.tallies.items():
            self.tally(business_id).add(tally)

    def balance(self, business_id: str) -> Balance:
        tally = self.tallies.get(business_id, Tally())
        return Balance(
            fetched=tally.fetched,
            landed=sum(1 for r in self.rows if r.business_id == business_id),
            dead_letters=sum(
                1 for d in self.dead if d["business_id"] == business_id and not d.get("of_request")
            ),
            other_date=tally.other_date,
            duplicates=tally.duplicates,
            lost_pages=tally.lost_pages,
            elsewhere=dict(sorted(tally.elsewhere.items())),
            warning="; ".join(tally.warnings) or None,
        )

    def take(self, business_id: str, source: str, entity: str, item: Any) -> dict | None:
        """The record itself, or None for what is accounted for here instead: a stream marker
        (a lost page, a missing optional endpoint) or a record that is not a JSON object
        (dead-lettered). Nothing that reaches landing goes uncounted."""
        tally = self.tally(business_id)
        if isinstance(item, LostPage):
            tally.lost_pages += 1
            self.dead.append(
                {
                    "business_id": business_id,
                    "source": source,
                    "entity": entity,
                    "record_id": None,
                    "reason": f"page lost after retries: {item.reason}",
                    "payload": {"request": item.request},
                    "of_request": True,
                }
            )
            return None
        if isinstance(item, Unavailable):
            tally.warnings.append(item.reason)
            return None
        tally.fetched += 1
        if not isinstance(item, dict):
            self.reject(business_id, source, entity, item, None, "not a JSON object")
            return None
        return item


def _record_id(record: dict, id_field: str) -> str | None:
    value = record.get(id_field)
    return str(value) if value not in (None, "") else None


def _day_of(value: object, timezone: str, local_dates: bool) -> date | None:
    """Business date of a vendor timestamp; ledger dates (Xero) are already local dates."""
    stamp = parse_ts(value)
    if stamp is None:
        return None
    return stamp.date() if local_dates else business_date(stamp, timezone)


def home_day(
    record: dict, timezone: str, date_field: str, updated_field: str, local_dates: bool = False
) -> date | None:
    """The business date a record is filed under: its own (`date_field`), else the day it was
    last updated; None when neither can be read."""
    return _day_of(record.get(date_field), timezone, local_dates) or _day_of(
        record.get(updated_field), timezone, local_dates
    )


def land_partition(
    records_for: Callable[[Scope, datetime, datetime], Iterable[Any]],
    scopes: list[Scope],
    day: date,
    *,
    source: str,
    entity: str,
    date_field: str,
    updated_field: str,
    id_field: str = "id",
    open_ended: bool = True,
    local_dates: bool = False,
    run_id: str | None,
    max_field_bytes: int | None = None,
    extracted_at: datetime | None = None,
) -> Landing:
    """Fetch every scope's window for `day`; sort records into rows, dead letters and counts.

    `records_for(scope, start, end)` gets `end=None` when open-ended (updated since `start`),
    or the day's end for sources filtered by creation time (payouts).
    """
    landing = Landing()
    extracted_at = extracted_at or utcnow()
    limit = max_field_bytes or MAX_FIELD_BYTES
    seen: set[tuple[str, str]] = set()
    for scope in scopes:
        business = scope.business_id
        tally = landing.tally(business)
        start, end = local_day_window(scope.timezone, day)
        for item in records_for(scope, start, None if open_ended else end):
            record = landing.take(business, source, entity, item)
            if record is None:
                continue
            record_day = _day_of(record.get(date_field), scope.timezone, local_dates)
            # An undatable record is filed under the day it arrived, so every partition that
            # sees it files it in the same place.
            filed = home_day(record, scope.timezone, date_field, updated_field, local_dates) or day
            if filed != day:
                tally.other_date += 1  # landed by its own day's partition
                tally.elsewhere[filed.isoformat()] += 1
                continue
            record_id = _record_id(record, id_field)
            if record_id is None:
                reason = f"field {id_field!r} is missing"
                landing.reject(business, source, entity, record, None, reason)
                continue
            if (business, record_id) in seen:
                tally.duplicates += 1
                continue
            seen.add((business, record_id))
            if record_day is None:
                reason = f"field {date_field!r} is not a timestamp: {record.get(date_field)!r}"
                landing.reject(business, source, entity, record, record_id, reason)
                continue
            problem = oversized_problem(record, limit)
            if problem:
                landing.reject(business, source, entity, problem[1], record_id, problem[0])
                continue
            landing.keep(
                record,
                record_id,
                business,
                scope.location_id,
                day,
                updated_field,
                extracted_at,
                run_id,
            )
    return landing


def land_snapshot(
    records_for: Callable[[str], Iterable[Any]],
    business_ids: list[str],
    *,
    source: str,
    entity: str,
    updated_field: str,
    id_field: str = "id",
    day: date | None = None,
    location_id: str | None = None,
    run_id: str | None,
    max_field_bytes: int | None = None,
    extracted_at: datetime | None = None,
) -> Landing:
    """Every record of the businesses; `day` and `location_id` file children under a parent's."""
    landing = Landing()
    extracted_at = extracted_at or utcnow()
    limit = max_field_bytes or MAX_FIELD_BYTES
    for business_id in business_ids:
        tally = landing.tally(business_id)
        seen: set[str] = set()
        for item in records_for(business_id):
            record = landing.take(business_id, source, entity, item)
            if record is None:
                continue
            record_id = _record_id(record, id_field)
            if record_id is None:
                reason = f"field {id_field!r} is missing"
                landing.reject(business_id, source, entity, record, None, reason)
                continue
            if record_id in seen:
                tally.duplicates += 1
                continue
            seen.add(record_id)
            problem = oversized_problem(record, limit)
            if problem:
                landing.reject(business_id, source, entity, problem[1], record_id, problem[0])
                continue
            landing.keep(
                record,
                record_id,
                business_id,
                location_id,
                day,
                updated_field,
                extracted_at,
                run_id,
            )
    return landing
