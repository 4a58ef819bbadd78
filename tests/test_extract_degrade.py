"""A merchant account without disputes: the extract warns, the day still posts, and every
extract of the run accounts for each record it fetched."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest

from tests.conftest import DAY_1, http_resources, served_sandbox


@pytest.mark.e2e
def test_a_404_on_disputes_still_posts_the_day(tmp_path, monkeypatch):
    from pipeline.definitions import defs

    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.setenv("BACKBONE_BUSINESSES", "cafe")
    path = str(tmp_path / "warehouse.duckdb")
    with served_sandbox("404=/v2/disputes") as base_url:
        result = defs.resolve_job_def("daily_job").execute_in_process(
            partition_key=DAY_1,
            resources=http_resources(base_url, path),
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
    assert result.success
    checks = {
        e.asset_key.path[-1]: e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "extract_conserved"
    }
    disputes = checks.pop("square_disputes")
    assert not disputes.passed and disputes.severity == dg.AssetCheckSeverity.WARN
    assert f"GET {base_url}/cafe/square/v2/disputes -> 404" in disputes.description
    assert all(check.passed for check in checks.values()), {
        key: check.description for key, check in checks.items() if not check.passed
    }
    with duckdb.connect(path, read_only=True) as con:
        posted = con.execute(
            "SELECT count(*), count(DISTINCT kind) FROM marts.journal_entries "
            "WHERE business_id = 'cafe' AND business_date = ?",
            [DAY_1],
        ).fetchone()
        lines = con.execute(
            "SELECT count(*), sum(debit) = sum(credit) FROM marts.journal_lines AS l "
            "JOIN marts.journal_entries AS e USING (entry_id) WHERE e.business_date = ?",
            [DAY_1],
        ).fetchone()
        status, warning = con.execute(
            "SELECT status, warning FROM ops.extract_log WHERE entity = 'disputes'"
        ).fetchone()
        log = con.execute(
            "SELECT source || '_' || entity, fetched, records, dead_letters, other_date, "
            "duplicates, lost_pages, other_dates FROM ops.extract_log"
        ).fetchall()
    assert posted[0] > 0 and posted[1] > 1  # the day's sales and more were posted
    assert lines[0] > 0 and lines[1]
    assert status == "unavailable"
    assert warning.startswith("optional endpoint unavailable (needs DISPUTES_READ")
    assert f"square: GET {base_url}/cafe/square/v2/disputes -> 404: " in warning
    # Conservation, read back from the log: every fetched record went somewhere.
    for table, fetched, landed, dead, other, duplicates, lost, _ in log:
        assert fetched == landed + dead + other + duplicates, table
        assert lost == 0, table
    # Payments refunded or touched later than their sale are fetched by this day's window but
    # belong to earlier days: counted, and where they belong is in the log.
    elsewhere = {table: json.loads(where) for table, *_, other, _, _, where in log if other}
    assert elsewhere, "the sandbox's late updates should put some records under other dates"
    for table, where in elsewhere.items():
        assert all(day < DAY_1 or day > DAY_1 for day in where), table
