"""Connectors against the sandbox over real HTTP: paging, the incremental window, faults."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from assets import raw
from pipeline.extraction.landing import Scope, land_partition
from resources.square import SquareResource
from tests.conftest import DAY_1, http_resources, served_sandbox

CAFE = Scope("cafe", "LCAFE01", "America/New_York")


def square(base_url: str, **kw) -> SquareResource:
    return SquareResource(base_url=f"{base_url}/{{business}}/square", access_token="t", **kw)


def land_orders(base_url: str, day: date, **kw):
    connector = square(base_url, **kw)
    with connector.client("cafe") as client:
        return land_partition(
            lambda s, start, end: connector.search_orders(client, [s.location_id], start, end),
            [CAFE],
            day,
            source="square",
            entity="orders",
            date_field="created_at",
            updated_field="updated_at",
            run_id="test",
        ), client.stats


def test_cursor_paging_returns_every_record_once():
    with served_sandbox() as base_url:
        small, small_stats = land_orders(base_url, date.fromisoformat(DAY_1), page_limit=37)
        large, _ = land_orders(base_url, date.fromisoformat(DAY_1), page_limit=1000)
    ids = [row[0] for row in small.rows]
    assert len(ids) == len(set(ids)) > 200
    assert sorted(ids) == sorted(row[0] for row in large.rows)
    assert small_stats.requests >= len(ids) // 37


def test_late_offline_orders_arrive_within_the_72h_lookback():
    day = date.fromisoformat(DAY_1)
    seen = {}
    for hours_after_close in (8, 30, 80):
        now = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) + timedelta(
            hours=hours_after_close
        )
        with served_sandbox(now=now) as base_url:
            landing, _ = land_orders(base_url, day)
        seen[hours_after_close] = {row[0] for row in landing.rows}
    assert seen[8] <= seen[30] <= seen[80]
    assert len(seen[80]) > len(seen[8]), "some orders of the day sync late (offline mode)"
    # Every order landed belongs to the partition's business date in New York time.
    assert all(row[3] == day for row in landing.rows)


def _row_counts(con, schema: str) -> dict[str, int]:
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema]
    ).fetchall()
    return {t: con.execute(f"SELECT count(*) FROM {schema}.{t}").fetchone()[0] for (t,) in tables}


def _extract(base_url: str, home, partition: str) -> dict[str, int]:
    import dagster as dg

    path = str(home / "warehouse.duckdb")
    result = dg.materialize(
        raw.ALL,
        partition_key=partition,
        resources=http_resources(base_url, path, retry_wait_initial=0.05),
    )
    assert result.success
    with duckdb.connect(path, read_only=True) as con:
        counts = _row_counts(con, "raw")
        counts["dead_letter"] = con.execute("SELECT count(*) FROM ops.dead_letter").fetchone()[0]
        retries = con.execute("SELECT sum(retries) FROM ops.extract_log").fetchone()[0]
    return counts, retries


@pytest.mark.e2e
def test_throttling_and_server_errors_change_no_record_count(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.delenv("BACKBONE_BUSINESSES", raising=False)
    with served_sandbox() as base_url:
        clean, clean_retries = _extract(base_url, tmp_path / "clean", DAY_1)
    with served_sandbox("429=11,429bare=5,5xx=7,slow=13:0.2,truncated=17,html=19") as base_url:
        faulty, faulty_retries = _extract(base_url, tmp_path / "faulty", DAY_1)
    assert clean_retries == 0
    assert faulty_retries > 10
    assert faulty == clean
    assert clean["square_orders"] > 200 and clean["hubspot_contacts"] > 50


def _full_run(base_url: str, home, partition: str) -> dict[str, int]:
    from pipeline.definitions import defs

    path = str(home / "warehouse.duckdb")
    result = defs.resolve_job_def("daily_job").execute_in_process(
        partition_key=partition,
        resources=http_resources(base_url, path),
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    assert result.success
    with duckdb.connect(path, read_only=True) as con:
        counts = _row_counts(con, "staging")
        dead = con.execute(
            "SELECT source, entity, record_id, reason FROM ops.dead_letter"
        ).fetchall()
    return counts, dead


@pytest.mark.e2e
def test_malformed_records_end_in_dead_letter_with_a_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.setenv("BACKBONE_BUSINESSES", "cafe")
    with served_sandbox() as base_url:
        clean, clean_dead = _full_run(base_url, tmp_path / "clean", DAY_1)
    with served_sandbox("malformed") as base_url:
        dirty, dead = _full_run(base_url, tmp_path / "dirty", DAY_1)
    assert clean_dead == []
    # Every well-formed record still reaches staging; every broken one is accounted for.
    assert dirty == clean
    assert all(reason for *_, reason in dead)
    # A broken record is filed under its own business date, so the broken order and payment
    # (copies of records that may belong to another day) can fall outside this partition;
    # tests/test_sql_models.py covers their reasons.
    entities = {(source, entity) for source, entity, _, _ in dead}
    assert {
        ("square", "refunds"),
        ("square", "customers"),
        ("square", "payouts"),
        ("hubspot", "contacts"),
        ("hubspot", "deals"),
        ("xero", "accounts"),
        ("xero", "contacts"),
        ("xero", "invoices"),
    } <= entities
    reasons = {entity: reason for _, entity, _, reason in dead}
    assert reasons["refunds"].startswith("field 'created_at' is not a timestamp")
    assert reasons["deals"].startswith("field properties.amount is not a decimal")


def _ids(records) -> list[str]:
    return sorted(str(r.get("id") or r.get("BankTransactionID")) for r in records)


def test_pages_smaller_than_asked_for_lose_nothing_at_any_vendor():
    from resources.hubspot import HubSpotResource
    from resources.xero import XeroResource

    # Windows wide enough for several pages of 7 at each vendor (bank lines are few a day).
    start, bank_start = datetime(2026, 11, 17, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC)
    got = {}
    for faults in (None, "pagesize=7"):
        with served_sandbox(faults) as base_url:
            resources = http_resources(base_url, "unused.duckdb")
            square_, hubspot, xero = resources["square"], resources["hubspot"], resources["xero"]
            assert isinstance(hubspot, HubSpotResource) and isinstance(xero, XeroResource)
            with (
                square_.client("cafe") as sq,
                hubspot.client("cafe") as hs,
                xero.client("cafe") as xe,
            ):
                got[faults] = {
                    "payments": _ids(square_.list_payments(sq, "LCAFE01", start, None)),
                    "contacts": _ids(hubspot.list_contacts(hs)),
                    "bank": _ids(xero.list(xe, "BankTransactions", modified_since=bank_start)),
                }
                requests = (sq.stats.requests, hs.stats.requests, xe.stats.requests)
    for entity, ids in got[None].items():
        assert len(ids) > 7, f"{entity}: too few records to need a second small page"
        assert got["pagesize=7"][entity] == ids, entity
    assert min(requests) > 2  # pages of 7 really were served and followed


def test_a_required_endpoint_the_account_lacks_fails_with_a_one_line_reason():
    from resources.http import ApiError

    start = datetime(2026, 11, 17, tzinfo=UTC)
    with served_sandbox("404=/v2/payments") as base_url:
        connector = square(base_url)
        with connector.client("cafe") as client, pytest.raises(ApiError) as info:
            list(connector.list_payments(client, "LCAFE01", start, None))
    reason = str(info.value)
    assert reason.startswith(f"square: GET {base_url}/cafe/square/v2/payments -> 404: ")
    assert base_url.rsplit(":", 1)[1].isdigit()  # the port is part of what is printed
    assert "\n" not in reason and "?" not in reason and "test-token" not in reason


@pytest.mark.e2e
def test_a_truncated_body_is_retried_then_dead_lettered_and_the_extract_marked_partial(
    tmp_path, monkeypatch
):
    import dagster as dg

    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.setenv("BACKBONE_BUSINESSES", "cafe")
    path = str(tmp_path / "warehouse.duckdb")
    customers = next(a for a in raw.SNAPSHOTS if a.key == dg.AssetKey(["raw", "square_customers"]))
    with served_sandbox("truncated=1") as base_url:
        result = dg.materialize(
            [customers],
            resources=http_resources(base_url, path, retry_wait_initial=0.01, max_attempts=3),
        )
    assert result.success  # the run carries on with what it has
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.description == "cafe: 1 page(s) lost, see ops.dead_letter"
    with duckdb.connect(path, read_only=True) as con:
        dead = con.execute(
            "SELECT stage, record_id, reason, payload FROM ops.dead_letter"
        ).fetchall()
        log = con.execute(
            "SELECT fetched, records, lost_pages, status, requests, retries FROM ops.extract_log"
        ).fetchall()
    [(stage, record_id, reason, payload)] = dead
    assert (stage, record_id) == ("extract:square_customers", None)
    assert reason.startswith(
        f"page lost after retries: square: GET {base_url}/cafe/square/v2/customers -> 200 with "
        "an unreadable body (not JSON"
    )
    assert json.loads(payload) == {
        "request": {
            "method": "GET",
            "url": f"{base_url}/cafe/square/v2/customers",
            "cursor": None,
            "page_number": 1,
        }
    }
    assert log == [(0, 0, 1, "partial", 3, 2)]  # tried three times, then dead-lettered
