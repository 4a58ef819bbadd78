"""Through Dagster and the sandbox over HTTP: offline sales that arrive after their day was posted
become an adjusting entry dated on arrival; the posted entries are never touched."""

from datetime import UTC, datetime

import duckdb
import pytest

from tests.conftest import DAY_1, http_resources, served_sandbox

pytestmark = pytest.mark.e2e

# The cafe's day closes at midnight New York time (05:00 UTC); offline orders arrive 1-72 h late.
RIGHT_AFTER_CLOSE = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)
THREE_DAYS_LATER = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _post(path: str, now: datetime, monkeypatch) -> None:
    from pipeline.definitions import defs

    monkeypatch.setenv("BACKBONE_SANDBOX_NOW", now.isoformat())
    with served_sandbox(now=now) as base_url:
        result = defs.resolve_job_def("daily_job").execute_in_process(
            partition_key=DAY_1,
            resources=http_resources(base_url, path),
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
    assert result.success


def _ledger(path: str):
    with duckdb.connect(path, read_only=True) as con:
        entries = con.execute(
            "SELECT entry_id, business_date, activity_date, adjusts_entry_id, total "
            "FROM marts.journal_entries ORDER BY entry_id"
        ).fetchall()
        lines = con.execute(
            "SELECT entry_id, line_no, account_code, debit, credit FROM marts.journal_lines "
            "ORDER BY entry_id, line_no"
        ).fetchall()
    return entries, lines


@pytest.fixture
def cafe_home(home, monkeypatch):
    monkeypatch.setenv("BACKBONE_BUSINESSES", "cafe")
    return home


def test_late_offline_sales_are_adjusted_not_rewritten(cafe_home, monkeypatch):
    path = str(cafe_home / "warehouse.duckdb")
    _post(path, RIGHT_AFTER_CLOSE, monkeypatch)
    first_entries, first_lines = _ledger(path)
    assert first_entries and all(e[3] is None for e in first_entries)

    _post(path, THREE_DAYS_LATER, monkeypatch)
    entries, lines = _ledger(path)
    # Everything posted the first time is still there, unchanged.
    assert set(first_entries) <= set(entries)
    assert set(first_lines) <= set(lines)
    adjusting = [e for e in entries if e[3] is not None]
    assert adjusting, "the offline orders that arrived late should have been adjusted in"
    for entry_id, business_date, activity_date, adjusts, _total in adjusting:
        assert entry_id == f"{adjusts}-ADJ01"
        assert (str(activity_date), str(business_date)) == (DAY_1, "2026-11-20")
        debit = sum(x[3] for x in lines if x[0] == entry_id)
        credit = sum(x[4] for x in lines if x[0] == entry_id)
        assert debit == credit > 0

    # Nothing new has arrived since: a re-run appends nothing.
    _post(path, THREE_DAYS_LATER, monkeypatch)
    assert _ledger(path) == (entries, lines)
