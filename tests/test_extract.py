"""Landing rules: business dates in the location's zone, and where broken records are filed."""

from datetime import date

import pytest

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


# Sold on the 19th (New York), refunded on the 20th: the 20th's window fetches it.
SOLD_19TH = {"id": "p2", "created_at": "2026-11-19T15:00:00Z", "updated_at": "2026-11-20T15:00:00Z"}


def test_records_of_other_days_are_left_to_their_own_partition_and_counted_where_they_belong():
    sold_20th = {
        "id": "p6",
        "created_at": "2026-11-20T15:00:00Z",
        "updated_at": "2026-11-20T15:00:00Z",
    }
    landing = land([SOLD_19TH, sold_20th])
    assert [r.record_id for r in landing.rows] == ["p6"] and landing.dead == []
    balance = landing.balance("cafe")
    assert (balance.fetched, balance.landed, balance.other_date) == (2, 1, 1)
    assert balance.elsewhere == {"2026-11-19": 1}
    assert balance.conserved and balance.status == "ok"
    # The 19th's own partition lands it.
    assert [r.record_id for r in land([SOLD_19TH], date(2026, 11, 19)).rows] == ["p2"]


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
    landing = land([record, dict(record)])
    assert len(landing.rows) == 1
    assert landing.balance("cafe").duplicates == 1 and landing.balance("cafe").conserved


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


def test_every_fetched_record_is_accounted_for_on_a_mixed_fetch():
    day = "2026-11-20T15:00:00Z"
    records = [
        {"id": "a", "created_at": day, "updated_at": day},
        {"id": "a", "created_at": day, "updated_at": day},  # duplicate
        {"created_at": day, "updated_at": day},  # no id
        {"id": "b", "created_at": "soon", "updated_at": day},  # undatable, filed today
        {"id": "c", "created_at": "2026-11-18T15:00:00Z", "updated_at": day},  # the 18th
        ["not", "an", "object"],
        {"id": "d", "created_at": day, "updated_at": day},
    ]
    balance = land(records).balance("cafe")
    assert balance == (7, 2, 3, 1, 1, 0, {"2026-11-18": 1}, None)
    assert balance.conserved


def test_a_10_mib_field_is_dead_lettered_naming_the_field_and_its_size():
    from pipeline.extraction.landing import land_snapshot

    huge = "x" * (10 * 1024 * 1024)
    landing = land_snapshot(
        lambda business: [
            {"id": "c1", "given_name": "Ada", "note": {"text": huge}},
            {"id": "c2", "given_name": "Grace"},
        ],
        ["cafe"],
        source="square",
        entity="customers",
        updated_field="updated_at",
        run_id="t",
    )
    assert [r.record_id for r in landing.rows] == ["c2"]
    [dead] = landing.dead
    assert dead["reason"] == "field 'note.text' is 10485760 bytes, over the 65536-byte limit"
    # The dead letter keeps the record, not the 10 MiB.
    assert dead["payload"] == {
        "id": "c1",
        "given_name": "Ada",
        "note": {"text": "<10485760 bytes, over the 65536-byte limit>"},
    }
    assert landing.balance("cafe").conserved


def test_the_field_limit_counts_utf8_bytes_and_is_configurable(monkeypatch):
    from pipeline.settings import max_field_bytes

    monkeypatch.setenv("BACKBONE_MAX_FIELD_BYTES", "100")
    record = {
        "id": "p7",
        "created_at": "2026-11-20T15:00:00Z",
        "updated_at": "2026-11-20T15:00:00Z",
        "note": "é" * 60,  # 60 characters, 120 bytes
    }
    landing = land_partition(
        lambda scope, start, end: [record],
        [NY],
        DAY,
        source="square",
        entity="payments",
        date_field="created_at",
        updated_field="updated_at",
        run_id="t",
        max_field_bytes=max_field_bytes(),
    )
    assert [d["reason"] for d in landing.dead] == [
        "field 'note' is 120 bytes, over the 100-byte limit"
    ]
    assert len(land([record]).rows) == 1  # under the 64 KiB default
    monkeypatch.setenv("BACKBONE_MAX_FIELD_BYTES", "lots")
    with pytest.raises(ValueError, match="BACKBONE_MAX_FIELD_BYTES"):
        max_field_bytes()
