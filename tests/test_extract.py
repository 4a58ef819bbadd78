"""Landing rules: business dates in the location's zone, and where broken records are filed."""

from datetime import date

from pipeline.extraction.landing import Scope, land_partition

NY = Scope("cafe", "LCAFE01", "America/New_York")
DAY = date(2026, 11, 20)


def land(records, day=DAY):
    return land_partition(
        lambda scope, start, end: records,
        [NY],
        day,
        source="square",
        entity="payments",
        date_field="created_at",
        updated_field="updated_at",
        run_id="t",
    )


def test_business_date_is_local():
    # 03:30 UTC on the 21st is still the 20th in New York.
    landing = land(
        [{"id": "p1", "created_at": "2026-11-21T03:30:00Z", "updated_at": "2026-11-21T03:30:00Z"}]
    )
    assert [(r[0], r[3]) for r in landing.rows] == [("p1", DAY)]


def test_records_of_other_days_are_left_to_their_own_partition():
    landing = land(
        [{"id": "p2", "created_at": "2026-11-19T15:00:00Z", "updated_at": "2026-11-20T15:00:00Z"}]
    )
    assert landing.rows == [] and landing.dead == []


def test_broken_records_are_filed_under_one_day_only():
    broken = [
        {"created_at": "2026-11-20T15:00:00Z", "updated_at": "2026-11-20T15:00:00Z"},
        {"id": "p3", "created_at": "yesterday", "updated_at": "2026-11-20T16:00:00Z"},
        {"id": "p4", "created_at": "yesterday", "updated_at": "2026-11-23T16:00:00Z"},
    ]
    here = land(broken)
    assert [(d["record_id"], d["reason"]) for d in here.dead] == [
        (None, "field 'id' is missing"),
        ("p3", "field 'created_at' is not a timestamp: 'yesterday'"),
    ]
    later = land(broken, date(2026, 11, 23))
    assert [d["record_id"] for d in later.dead] == ["p4"]


def test_duplicates_across_pages_land_once():
    record = {
        "id": "p5",
        "created_at": "2026-11-20T15:00:00Z",
        "updated_at": "2026-11-20T15:00:00Z",
    }
    assert len(land([record, dict(record)]).rows) == 1


def test_dead_letters_keep_the_vendors_own_id_field():
    landing = land_partition(
        lambda scope, start, end: [
            {
                "BankTransactionID": "bt-1",
                "Date": "not a date",
                "UpdatedDateUTC": "/Date(1795186800000+0000)/",
            }
        ],
        [NY],
        DAY,
        source="xero",
        entity="bank_transactions",
        date_field="Date",
        updated_field="UpdatedDateUTC",
        id_field="BankTransactionID",
        local_dates=True,
        run_id="t",
    )
    assert [d["record_id"] for d in landing.dead] == ["bt-1"]


def test_snapshot_records_without_id_are_dead_lettered():
    from pipeline.extraction.landing import land_snapshot

    landing = land_snapshot(
        lambda business: [{"id": "c1"}, {"name": "no id"}],
        ["cafe"],
        source="square",
        entity="customers",
        updated_field="updated_at",
        run_id="t",
    )
    assert [r.record_id for r in landing.rows] == ["c1"]
    assert [(d["record_id"], d["reason"]) for d in landing.dead] == [
        (None, "field 'id' is missing")
    ]
