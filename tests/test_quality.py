"""The GX Core suite on the journal catches what a blocking check must catch."""

from datetime import UTC, datetime
from decimal import Decimal

import dagster as dg
import pandas as pd

from pipeline.store.quality import run_journal_suite


def lines(rows):
    return pd.DataFrame(rows, columns=["entry_id", "line_no", "account_code", "debit", "credit"])


def test_balanced_journal_passes_and_builds_data_docs(tmp_path):
    ok = lines(
        [
            ("e1", 1, "1010", Decimal("5.00"), Decimal("0.00")),
            ("e1", 2, "4000", Decimal("0.00"), Decimal("5.00")),
        ]
    )
    result = run_journal_suite(ok, project_root=tmp_path)
    assert result.success and result.evaluated == 7
    assert (tmp_path / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()


def test_unbalanced_entry_and_bad_account_fail():
    bad = lines(
        [
            ("e1", 1, "1010", Decimal("5.00"), Decimal("0.00")),
            ("e1", 2, "REV", Decimal("0.00"), Decimal("4.99")),
        ]
    )
    result = run_journal_suite(bad)
    assert not result.success
    assert any("imbalance_cents" in f for f in result.failed)
    assert any("account_code" in f for f in result.failed)


def test_unbalanced_entry_alone_fails_on_imbalance():
    # The GX suite is the table's only balance rule (the Pandera contract leaves it here).
    bad = lines(
        [
            ("e1", 1, "1010", Decimal("5.00"), Decimal("0.00")),
            ("e1", 2, "4000", Decimal("0.00"), Decimal("4.99")),
        ]
    )
    result = run_journal_suite(bad)
    assert not result.success
    assert result.failed == [
        "journal_entry_balance: expect_column_values_to_be_between imbalance_cents"
    ]


def test_blocking_check_fails_an_unbalanced_journal(home):
    from assets.checks import journal_lines_gx
    from pipeline.store.connection import open_duckdb
    from resources.warehouse import WarehouseResource

    path = home / "warehouse.duckdb"
    with open_duckdb(path) as con:  # the migrations' journal tables
        con.execute(
            "INSERT INTO marts.journal_lines VALUES "
            "('e', 1, '1010', 5.00, 0, 'Card', '2026-11-20', 'LCAFE01'), "
            "('e', 2, '4000', 0, 4.99, 'Sales', '2026-11-20', 'LCAFE01')"
        )
    spec = next(iter(journal_lines_gx.check_specs))
    assert spec.blocking
    result = journal_lines_gx(
        dg.build_asset_check_context(), warehouse=WarehouseResource(path=str(path))
    )
    assert not result.passed
    assert "imbalance_cents" in result.metadata["failed"].value


def test_run_dates_from_a_partition_a_range_or_none():
    from assets.checks import run_dates, validation_name

    one = {"dagster/partition": "2026-11-18"}
    window = {
        "dagster/asset_partition_range_start": "2026-11-16",
        "dagster/asset_partition_range_end": "2026-11-19",
    }
    assert run_dates(one) == ("2026-11-18", "2026-11-18")
    assert run_dates(window) == ("2026-11-16", "2026-11-19")
    assert run_dates({"dagster/backfill": "x"}) is None
    assert validation_name(run_dates(one)) == "journal 2026-11-18"
    assert validation_name(run_dates(window)) == "journal 2026-11-16..2026-11-19"
    assert validation_name(None) == "journal all dates"


def _journal(home):
    """Three days of one location: 18 Nov balanced; 19 Nov unbalanced by a cent; 20 Nov
    balanced, plus an adjusting entry posted on 20 Nov for activity on 18 Nov."""
    from pipeline.store.connection import open_duckdb

    con = open_duckdb(home / "warehouse.duckdb")
    con.execute(
        "INSERT INTO marts.journal_entries (entry_id, business_id, location_id, business_date,"
        " kind, memo, total, activity_date) VALUES "
        "('e18', 'cafe', 'LCAFE01', '2026-11-18', 'sales', 'd', 5.00, '2026-11-18'), "
        "('e19', 'cafe', 'LCAFE01', '2026-11-19', 'sales', 'd', 5.00, '2026-11-19'), "
        "('e20', 'cafe', 'LCAFE01', '2026-11-20', 'sales', 'd', 7.00, '2026-11-20'), "
        "('a18', 'cafe', 'LCAFE01', '2026-11-20', 'adjustment', 'd', 1.00, '2026-11-18')"
    )
    con.execute(
        "INSERT INTO marts.journal_lines VALUES "
        "('e18', 1, '1010', 5.00, 0, 'Card', '2026-11-18', 'LCAFE01'), "
        "('e18', 2, '4000', 0, 5.00, 'Sales', '2026-11-18', 'LCAFE01'), "
        "('e19', 1, '1010', 5.00, 0, 'Card', '2026-11-19', 'LCAFE01'), "
        "('e19', 2, '4000', 0, 4.99, 'Sales', '2026-11-19', 'LCAFE01'), "
        "('e20', 1, '1010', 7.00, 0, 'Card', '2026-11-20', 'LCAFE01'), "
        "('e20', 2, '4000', 0, 7.00, 'Sales', '2026-11-20', 'LCAFE01'), "
        "('a18', 1, '1010', 1.00, 0, 'Card', '2026-11-20', 'LCAFE01'), "
        "('a18', 2, '4000', 0, 1.00, 'Sales', '2026-11-20', 'LCAFE01')"
    )
    return con


def test_the_check_reads_the_runs_dates_and_their_adjustments(home):
    from pipeline.store.quality import journal_lines_for

    con = _journal(home)
    try:
        picked = {
            dates: sorted({e for e in journal_lines_for(con, dates)["entry_id"]})
            for dates in [("2026-11-18", "2026-11-18"), ("2026-11-19", "2026-11-19"), None]
        }
        window = journal_lines_for(con, ("2026-11-19", "2026-11-20"))
    finally:
        con.close()
    # 18 Nov: its entry and the adjustment of its activity posted on the 20th.
    assert picked[("2026-11-18", "2026-11-18")] == ["a18", "e18"]
    assert picked[("2026-11-19", "2026-11-19")] == ["e19"]
    assert picked[None] == ["a18", "e18", "e19", "e20"]
    # 19..20 Nov: lines dated in the window, the adjustment included (posted on the 20th).
    assert sorted(set(window["entry_id"])) == ["a18", "e19", "e20"]
    assert list(window.columns) == ["entry_id", "line_no", "account_code", "debit", "credit"]


def test_an_unbalanced_day_blocks_its_own_validation_named_by_date(home):
    from pipeline.store.data_docs import remote_references
    from pipeline.store.quality import journal_lines_for

    con = _journal(home)
    try:
        days = {d: journal_lines_for(con, (d, d)) for d in ("2026-11-19", "2026-11-20")}
    finally:
        con.close()
    at = datetime(2026, 11, 21, 12, tzinfo=UTC)
    bad = run_journal_suite(days["2026-11-19"], home, run_name="journal 2026-11-19", run_time=at)
    good = run_journal_suite(days["2026-11-20"], home, run_name="journal 2026-11-20", run_time=at)
    assert not bad.success and bad.failed == [
        "journal_entry_balance: expect_column_values_to_be_between imbalance_cents"
    ]
    assert good.success and good.evaluated == 7
    assert bad.remote == good.remote == []

    site = home / "gx" / "uncommitted" / "data_docs" / "local_site"
    index = (site / "index.html").read_text()
    # Listed by business date, and every script, stylesheet and image is local.
    assert "journal 2026-11-19" in index and "journal 2026-11-20" in index
    assert "__none__" not in index
    for page in site.rglob("*.html"):
        assert remote_references(page.read_text()) == [], page
    assert 'src="static/vendor/jquery/jquery.min.js"' in index
    assert (site / "static" / "vendor" / "bootstrap-table" / "bootstrap-table.min.js").exists()
    pages = list(site.glob("validations/journal_entry_balance/journal 2026-11-19/*/*.html"))
    assert len(pages) == 1
    assert 'src="../../../../static/vendor/jquery/jquery.min.js"' in pages[0].read_text()


def test_a_window_is_validated_date_by_date_with_one_data_docs_build(home):
    from pipeline.store.quality import journal_lines_by_date, run_journal_suites

    con = _journal(home)
    try:
        window = journal_lines_by_date(con, ("2026-11-19", "2026-11-20"))
        alone = journal_lines_by_date(con, ("2026-11-18", "2026-11-18"))
    finally:
        con.close()
    # In the window, the adjustment posted on the 20th is filed under the 20th; run for the
    # 18th alone, it is filed under the day it corrects.
    assert {d: sorted(set(f["entry_id"])) for d, f in window.items()} == {
        "2026-11-19": ["e19"],
        "2026-11-20": ["a18", "e20"],
    }
    assert {d: sorted(set(f["entry_id"])) for d, f in alone.items()} == {
        "2026-11-18": ["a18", "e18"]
    }
    at = datetime(2026, 11, 21, 12, tzinfo=UTC)
    result = run_journal_suites({f"journal {d}": f for d, f in window.items()}, home, run_time=at)
    # e19 is a cent out: its date fails, the 20th passes; 7 expectations per date.
    assert not result.success and result.failed_runs == ["journal 2026-11-19"]
    assert result.evaluated == 14
    index = (home / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").read_text()
    assert "journal 2026-11-19" in index and "journal 2026-11-20" in index
