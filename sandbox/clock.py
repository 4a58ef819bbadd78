"""Time helpers for the sandbox clock and the three vendors' timestamp formats.

Internally every instant is an int of epoch milliseconds (cheap to compare and sort, and exact);
dates are business dates in a location's own time zone.
"""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

NOW_ENV = "BACKBONE_SANDBOX_NOW"
WINDOW_DAYS = 120  # data exists for business dates now-120 .. now

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def resolve_now(now: datetime | None = None) -> datetime:
    """The sandbox clock: the parameter, else $BACKBONE_SANDBOX_NOW, else today 12:00 UTC.

    Naive values are read as UTC; the result is truncated to whole milliseconds because every
    vendor format the sandbox emits has millisecond precision at most.
    """
    if now is None:
        raw = os.environ.get(NOW_ENV, "").strip()
        if raw:
            try:
                now = parse_instant(raw)
            except ValueError:
                raise ValueError(f"{NOW_ENV}={raw!r} is not an ISO 8601 date or instant") from None
        else:
            today = datetime.now(UTC).date()
            now = datetime.combine(today, dtime(12, 0), tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    now = now.astimezone(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def parse_instant(text: str) -> datetime:
    """ISO 8601 / RFC 3339 instant (a bare date means 12:00 UTC that day); raises ValueError."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.combine(date.fromisoformat(text), dtime(12, 0), tzinfo=UTC)
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_rfc3339_ms(text: str) -> int:
    """A client-supplied RFC 3339 time as epoch ms; ValueError when it is not one."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"timestamp without offset: {text!r}")
    return to_ms(value)


def parse_if_modified_since(text: str) -> int:
    """Xero accepts both RFC 7231 HTTP-dates and ISO 8601 (naive = UTC) here."""
    text = text.strip()
    try:
        value = parse_instant(text)
    except ValueError:
        value = parsedate_to_datetime(text)  # raises ValueError/TypeError on junk
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
    return to_ms(value)


def to_ms(value: datetime) -> int:
    """Exact epoch milliseconds of an aware datetime (no float round-trip)."""
    return (value - _EPOCH) // timedelta(milliseconds=1)


def rfc3339_ms(ms: int) -> str:
    """Square/HubSpot style: 2026-11-20T14:03:11.123Z."""
    secs, frac = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{frac:03d}Z"


def msdate_time(ms: int) -> str:
    """Xero MS-JSON instant (x-is-msdate-time)."""
    return f"/Date({ms}+0000)/"


def msdate(day: date) -> str:
    """Xero MS-JSON date (x-is-msdate): midnight UTC of the calendar date."""
    return msdate_time(day_start_ms(day, UTC))


def day_start_ms(day: date, tz: ZoneInfo | type[UTC] | object) -> int:
    """Epoch ms of local midnight starting `day` in `tz`."""
    return to_ms(datetime.combine(day, dtime(0, 0), tzinfo=tz))  # type: ignore[arg-type]


def local_ms(day: date, tz: ZoneInfo, ms_into_day: int) -> int:
    """Epoch ms of a wall-clock time on a business day (DST-correct)."""
    wall = datetime.combine(day, dtime(0, 0)) + timedelta(milliseconds=ms_into_day)
    return to_ms(wall.replace(tzinfo=tz))


def local_date(ms: int, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(ms / 1000, tz).date()


def window(now_ms: int, tz: ZoneInfo) -> tuple[date, date]:
    """First and last business date with data for a location at the sandbox clock."""
    today = local_date(now_ms, tz)
    return today - timedelta(days=WINDOW_DAYS), today


def next_weekday(day: date) -> date:
    """The next Monday-Friday date strictly after `day` (payouts go out on business days)."""
    nxt = day + timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += timedelta(days=1)
    return nxt


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
