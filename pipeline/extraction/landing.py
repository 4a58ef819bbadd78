"""Landing vendor records in raw.* tables: every record ends in raw or in ops.dead_letter.

Daily partitions are business dates in each location's time zone. A partition is fetched
incrementally by `updated_at`, from the day's local start (nothing sold that day can have
changed before it) up to now, and a record is kept only if its own business date is the
partition's. So a payment refunded a week later, whose `updated_at` moved, still lands in its
sale's day. Offline POS sales sync up to 72 h late: the daily schedule therefore re-extracts
the three business dates before yesterday too (LOOKBACK). Each partition is replaced in one
transaction, so a re-run over the same source data gives the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

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
class Landing:
    rows: list[RawRow] = field(default_factory=list)
    dead: list[dict[str, Any]] = field(default_factory=list)

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


def _record_id(record: dict, id_field: str) -> str | None:
    value = record.get(id_field)
    return str(value) if value not in (None, "") else None


def _day_of(value: object, timezone: str, local_dates: bool) -> date | None:
    """Business date of a vendor timestamp; ledger dates (Xero) are already local dates."""
    stamp = parse_ts(value)
    if stamp is None:
        return None
    return stamp.date() if local_dates else business_date(stamp, timezone)


def land_partition(
    records_for: Callable[[Scope, datetime, datetime], Iterable[dict]],
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
    extracted_at: datetime | None = None,
) -> Landing:
    """Fetch every scope's window for `day`; sort records into rows and dead letters.

    `records_for(scope, start, end)` gets `end=None` when open-ended (updated since `start`),
    or the day's end for sources filtered by creation time (payouts).
    """
    landing = Landing()
    extracted_at = extracted_at or utcnow()  # the run's clock when the caller has one
    seen: set[tuple[str, str]] = set()
    for scope in scopes:
        start, end = local_day_window(scope.timezone, day)
        for record in records_for(scope, start, None if open_ended else end):
            record_day = _day_of(record.get(date_field), scope.timezone, local_dates)
            # An undatable record is filed under the day it arrived, so every partition that
            # sees it files it in the same place.
            home_day = (
                record_day or _day_of(record.get(updated_field), scope.timezone, local_dates) or day
            )
            if home_day != day:
                continue
            record_id = _record_id(record, id_field)
            reason = None
            if record_id is None:
                reason = f"field {id_field!r} is missing"
            elif record_day is None:
                reason = f"field {date_field!r} is not a timestamp: {record.get(date_field)!r}"
            if reason:
                landing.reject(scope.business_id, source, entity, record, record_id, reason)
                continue
            if (scope.business_id, record_id) in seen:
                continue
            seen.add((scope.business_id, record_id))
            landing.keep(
                record,
                record_id,
                scope.business_id,
                scope.location_id,
                day,
                updated_field,
                extracted_at,
                run_id,
            )
    return landing


def land_snapshot(
    records_for: Callable[[str], Iterable[dict]],
    business_ids: list[str],
    *,
    source: str,
    entity: str,
    updated_field: str,
    id_field: str = "id",
    day: date | None = None,
    location_id: str | None = None,
    run_id: str | None,
    extracted_at: datetime | None = None,
) -> Landing:
    """Every record of the businesses; `day` and `location_id` file children under a parent's."""
    landing = Landing()
    extracted_at = extracted_at or utcnow()  # the run's clock when the caller has one
    for business_id in business_ids:
        seen: set[str] = set()
        for record in records_for(business_id):
            record_id = _record_id(record, id_field)
            if record_id is None:
                landing.reject(
                    business_id, source, entity, record, None, f"field {id_field!r} is missing"
                )
                continue
            if record_id in seen:
                continue
            seen.add(record_id)
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
