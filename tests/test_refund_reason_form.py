"""The refund-reason form through Dagster: the reason is stored, audited, and the refund's posted
day gets an adjusting entry that moves the refund to the reason's account, with the reason."""

from datetime import UTC, datetime

import duckdb
import pytest

from tests.conftest import DAY_1, http_resources, served_sandbox

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def posted_boutique(home, monkeypatch):
    from pipeline.definitions import defs

    monkeypatch.setenv("BACKBONE_BUSINESSES", "boutique")
    monkeypatch.setenv("BACKBONE_SANDBOX_NOW", NOW.isoformat())
    path = str(home / "warehouse.duckdb")
    with served_sandbox(now=NOW) as base_url:
        resources = http_resources(base_url, path)
        result = defs.resolve_job_def("daily_job").execute_in_process(
            partition_key=DAY_1,
            resources=resources,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
    assert result.success
    return path, resources


def _refund_of_the_day(path):
    with duckdb.connect(path, read_only=True) as con:
        return con.execute(
            "SELECT f.fact_id FROM core.tender_facts AS f JOIN core.sales_lines AS s "
            "ON s.order_id = f.order_id AND s.line_kind = 'return' "
            "WHERE f.fact_kind = 'refund' AND s.business_date = ? ORDER BY 1 LIMIT 1",
            [DAY_1],
        ).fetchone()


def _run_form(resources, refund_id, reason="order_mistake", note="rang up the wrong dress"):
    from pipeline.definitions import defs

    return defs.resolve_job_def("refund_reason_job").execute_in_process(
        run_config={
            "ops": {
                "record_refund_reason": {
                    "config": {"refund_id": refund_id, "reason": reason, "note": note}
                }
            },
            "loggers": {"console": {"config": {"log_level": "ERROR"}}},
        },
        resources={"warehouse": resources["warehouse"]},
        raise_on_error=False,
    )


def test_a_refund_reason_moves_the_refund_to_its_account_by_adjustment(posted_boutique):
    path, resources = posted_boutique
    found = _refund_of_the_day(path)
    assert found, "the sandbox boutique should have a return on the test day"
    (refund_id,) = found
    with duckdb.connect(path, read_only=True) as con:
        before = con.execute("SELECT * FROM marts.journal_lines ORDER BY ALL").fetchall()

    result = _run_form(resources, refund_id)
    assert result.success

    with duckdb.connect(path, read_only=True) as con:
        assert con.execute(
            "SELECT reason, note FROM ops.refund_reasons WHERE refund_id = ?", [refund_id]
        ).fetchone() == ("order_mistake", "rang up the wrong dress")
        assert con.execute(
            "SELECT count(*) FROM ops.audit_log WHERE action = 'refund_reason' AND target = ?",
            [f"refund/{refund_id}"],
        ).fetchone() == (1,)
        after = con.execute("SELECT * FROM marts.journal_lines ORDER BY ALL").fetchall()
        adjusting = con.execute(
            "SELECT l.account_code, l.debit, l.credit, l.memo FROM marts.journal_lines AS l "
            "JOIN marts.journal_entries AS e USING (entry_id) "
            "WHERE e.adjusts_entry_id IS NOT NULL ORDER BY ALL"
        ).fetchall()
    assert set(before) <= set(after)  # nothing posted was touched
    # The refund's net moves from returns (4910) to customer goodwill & mistakes (6200).
    accounts = {(a, d > 0) for a, d, _c, _m in adjusting}
    assert accounts == {("4910", False), ("6200", True)}
    moved_out = sum(c for a, _d, c, _m in adjusting if a == "4910")
    moved_in = sum(d for a, d, _c, _m in adjusting if a == "6200")
    assert moved_out == moved_in > 0


def test_an_unknown_refund_is_refused_by_name(posted_boutique):
    _path, resources = posted_boutique
    result = _run_form(resources, "NO_SUCH_REFUND")
    assert not result.success
    failure = result.failure_data_for_node("record_refund_reason")
    assert "NO_SUCH_REFUND" in failure.user_failure_data.description
