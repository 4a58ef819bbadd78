"""Dates of a window that share one fetch land exactly what each would land fetching alone.

A fake vendor answers as Square's updated-since listings do (records updated at or after the
start, oldest update first); ten dates are landed once per date and once through SharedFetch,
and every date's rows, dead letters and balance must be the same, from fewer calls.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pipeline.extraction.landing import Scope, land_partition
from pipeline.extraction.paging import LostPage
from pipeline.extraction.shared_fetch import CHUNK_DAYS, SharedFetch, chunk_days

SEATTLE = Scope("boutique", "LBTQSEA", "America/Los_Angeles")
FIRST = date(2026, 11, 10)
DAYS = [FIRST + timedelta(days=n) for n in range(10)]


def _stamp(day: date, hour: int) -> str:
    # 18:00 UTC is 10:00 in Seattle: the same business date.
    return (datetime(day.year, day.month, day.day, hour, tzinfo=UTC)).isoformat()


def _records() -> list[dict]:
    records = []
    for n, day in enumerate([*DAYS, FIRST + timedelta(days=10), FIRST + timedelta(days=11)]):
        records.append(
            {"id": f"o{n}", "created_at": _stamp(day, 18), "updated_at": _stamp(day, 19)}
        )
    # Sold on the 10th, refunded (updated) on the 16th: every date up to the 16th sees it.
    records.append(
        {"id": "late", "created_at": _stamp(FIRST, 20), "updated_at": _stamp(DAYS[6], 20)}
    )
    # Sold before the window, updated inside it: counted under its own date.
    older = FIRST - timedelta(days=3)
    records.append(
        {"id": "older", "created_at": _stamp(older, 18), "updated_at": _stamp(DAYS[2], 21)}
    )
    # An undatable sale (updated on the 13th) and one updated twice in the listing.
    records.append({"id": "bad", "created_at": "yesterday", "updated_at": _stamp(DAYS[3], 18)})
    records.append(
        {"id": "o4", "created_at": _stamp(DAYS[4], 18), "updated_at": _stamp(DAYS[4], 22)}
    )
    return sorted(records, key=lambda r: r["updated_at"])


class Vendor:
    """Square's updated-since listing: what was updated at or after the start, oldest update
    first. `lose_after` puts an unreadable page after that record (the listing ends there, as
    the connector's does); a non-object is listed after o2, as if updated a minute after it."""

    def __init__(self, lose_after: str | None = None) -> None:
        self.calls = 0
        listing = [(datetime.fromisoformat(r["updated_at"]), r) for r in _records()]
        o2 = next(stamp for stamp, r in listing if r["id"] == "o2")
        listing.append((o2 + timedelta(minutes=1), "not an object"))
        if lose_after:
            at = next(
                stamp for stamp, r in listing if isinstance(r, dict) and r["id"] == lose_after
            )
            listing.append((at + timedelta(minutes=2), LostPage({"page": 2}, "HTTP 503 x5")))
        self.listing = sorted(listing, key=lambda pair: pair[0])

    def __call__(self, scope: Scope, start: datetime, end: datetime | None):
        assert end is None
        self.calls += 1
        for stamp, item in self.listing:
            if stamp >= start:
                yield item
                if isinstance(item, LostPage):
                    return


def _land(records_for, day: date):
    landing = land_partition(
        records_for,
        [SEATTLE],
        day,
        source="square",
        entity="orders",
        date_field="created_at",
        updated_field="updated_at",
        run_id="r",
        extracted_at=datetime(2026, 11, 25, tzinfo=UTC),
    )
    return landing.rows, landing.dead, landing.balance("boutique")


def _both_ways(lose_after: str | None = None) -> tuple[Vendor, Vendor]:
    alone, each = Vendor(lose_after), {}
    for day in DAYS:
        each[day] = _land(alone, day)
    vendor = Vendor(lose_after)
    shared = SharedFetch(DAYS, "created_at", "updated_at")
    for day in DAYS:
        assert _land(shared.records_for(day, vendor), day) == each[day], day
    return alone, vendor


def test_each_date_lands_what_it_landed_fetching_alone_from_one_fetch_per_chunk():
    alone, vendor = _both_ways()
    assert alone.calls == len(DAYS)
    assert vendor.calls == len(chunk_days(DAYS)) == 2  # ten dates in chunks of seven
    # The late refund lands on its sale's date; the non-object listed after the 12th's order
    # is dead-lettered by the dates up to the 12th only, as their own listings hold it.
    rows, _, balance = _land(Vendor(), FIRST)
    assert sorted(r.record_id for r in rows) == ["late", "o0"]
    assert balance.other_date > 0 and balance.conserved
    reasons = {day: {d["reason"] for d in _land(Vendor(), day)[1]} for day in DAYS}
    assert [day for day in DAYS if "not a JSON object" in reasons[day]] == DAYS[:3]


def test_a_listing_that_ended_at_a_lost_page_is_not_shared():
    # Lost after the 15th's order: the 10th..15th lose it; the 16th's own listing starts after.
    _, vendor = _both_ways(lose_after="o5")
    assert vendor.calls == 1 + 6 + 1  # the first chunk's other dates fetched alone
    lost = [day for day in DAYS if _land(Vendor("o5"), day)[2].lost_pages]
    assert lost == DAYS[:6]


def test_a_record_outside_the_chunk_is_held_as_a_stub_and_still_counted_under_its_date():
    vendor = Vendor()
    shared = SharedFetch(DAYS[:CHUNK_DAYS], "created_at", "updated_at")
    share = shared.records_for(FIRST, vendor)
    start = datetime(2026, 11, 10, 8, tzinfo=UTC)  # the 10th's start in Seattle
    items = [i for i in share(SEATTLE, start, None) if isinstance(i, dict)]
    after = {i["created_at"] for i in items if "id" not in i}
    # Sold on the 7th (before the chunk, 10th..16th) or from the 17th on: only their two dates
    # are held.
    assert after == {_stamp(FIRST + timedelta(days=n), 18) for n in (-3, 7, 8, 9, 10, 11)}
    assert all(set(i) == {"created_at", "updated_at"} for i in items if "id" not in i)


def test_an_unordered_listing_with_a_lookback_gives_each_date_its_own_share():
    """Xero's bank transactions: If-Modified-Since a lookback before the date, in no promised
    order, dated by local date; an item without a readable update time goes to every date."""
    lookback = timedelta(hours=72)
    undated = {"id": "x", "created_at": _stamp(DAYS[2], 18), "updated_at": "garbled"}
    listing = [*reversed(_records()), undated]  # newest first: no order to lean on

    class Xero(Vendor):
        def __call__(self, scope, start, end):
            self.calls += 1
            since = start - lookback
            return [r for r in listing if r is undated or r["updated_at"] >= since.isoformat()]

    alone = {day: _land(Xero(), day) for day in DAYS}
    vendor = Xero()
    shared = SharedFetch(DAYS, "created_at", "updated_at", lookback=lookback, ordered=False)
    for day in DAYS:
        assert _land(shared.records_for(day, vendor), day) == alone[day], day
    assert vendor.calls == 2
