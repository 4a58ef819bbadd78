"""The refund-reason form through Dagster: the reason is stored, audited, and the refund's posted
day gets an adjusting entry that moves the refund to the reason's account, with the reason; its
sensor then checks the journal, writes the entry to Xero and refreshes the exports."""

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
    # Served for the whole test: the form's follow-up writes to Xero.
    with served_sandbox(now=NOW) as base_url:
        resources = http_resources(base_url, path)
        result = defs.resolve_job_def("daily_job").execute_in_process(
            partition_key=DAY_1,
            resources=resources,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
        assert result.success
        yield path, resources


def _refund_of_the_day(path):
    with duckdb.connect(path, read_only=True) as con:
        return con.execute(
            "SELECT f.fact_id FROM core.tender_facts AS f JOIN core.sales_lines AS s "
            "ON s.order_id = f.order_id AND s.line_kind = 'return' "
            "WHERE f.fact_kind = 'refund' AND s.business_date = ? ORDER BY 1 LIMIT 1",
            [DAY_1],
        ).fetchone()


def _run_form(
    resources, refund_id, reason="order_mistake", note="rang up the wrong dress", instance=None
):
    from pipeline.definitions import defs

    return defs.resolve_job_def("refund_reason_job").execute_in_process(
        instance=instance,
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


def test_the_form_checks_the_journal_and_reaches_xero_beancount_and_the_scorecard(
    posted_boutique, home
):
    import dagster as dg

    from assets.refund_reason_form import refund_reason_followup
    from pipeline.app.cli import main
    from pipeline.definitions import defs

    path, resources = posted_boutique
    (refund_id,) = _refund_of_the_day(path)
    instance = dg.DagsterInstance.ephemeral()
    form = _run_form(resources, refund_id, instance=instance)
    assert form.success

    # What the daemon does when the form's run succeeds: evaluate the sensor, launch its request.
    request = refund_reason_followup(
        dg.build_run_status_sensor_context(
            sensor_name="refund_reason_followup",
            dagster_instance=instance,
            dagster_run=form.dagster_run,
            dagster_event=form.get_run_success_event(),
        )
    )
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == form.run_id
    followup = defs.resolve_job_def("refund_reason_followup_job").execute_in_process(
        instance=instance,
        resources=resources,
        tags={**request.tags, "dagster/sensor_name": "refund_reason_followup"},
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    assert followup.success
    # The scorecard's metrics are rebuilt on the new journal before the files that show them.
    built = {e.asset_key.to_user_string() for e in followup.get_asset_materialization_events()}
    assert {"marts/metric_write_offs", "marts/scorecard_daily", "exports/scorecard_html"} <= built
    assert (home / "exports" / "scorecard.html").exists()

    # The blocking balance suite ran on the re-posted lines and passed (no longer grey).
    evaluations = {e.check_name: e.passed for e in followup.get_asset_check_evaluations()}
    assert evaluations["journal_lines_gx"] is True
    with duckdb.connect(path, read_only=True) as con:
        (adjusting,) = con.execute(
            "SELECT entry_id FROM marts.journal_entries WHERE adjusts_entry_id IS NOT NULL"
        ).fetchone()
        synced = con.execute(
            "SELECT status, object_id FROM ops.sync_log WHERE idempotency_key = ?", [adjusting]
        ).fetchall()
        triggers = dict(
            con.execute(
                "SELECT run_id, any_value(triggered_by) FROM ops.audit_log GROUP BY run_id"
            ).fetchall()
        )
    # Xero holds the adjusting entry as a manual journal, once.
    assert [status for status, _ in synced] == ["posted"]
    with resources["xero"].client("boutique") as client:
        journals = client.json("GET", "/ManualJournals")["ManualJournals"]
    assert sum(f"[{adjusting}]" in j["Narration"] for j in journals) == 1
    # The Beancount ledger and the analysts' scorecard.duckdb carry it.
    ledger = (home / "exports" / "ledger.beancount").read_text()
    assert f'entry_id: "{adjusting}"' in ledger
    with duckdb.connect(str(home / "scorecard.duckdb"), read_only=True) as scorecard:
        assert scorecard.execute(
            "SELECT count(*) FROM marts.journal_entries WHERE entry_id = ?", [adjusting]
        ).fetchone() == (1,)
    # The audit trail says who did what: the form by hand, the write-back by the sensor.
    assert triggers[form.run_id] == "manual"
    assert triggers[followup.run_id] == "sensor:refund_reason_followup"
    exported = duckdb.sql(
        f"SELECT count(*) FROM '{home}/exports/audit/*.parquet' WHERE action = 'refund_reason'"
    ).fetchall()
    assert exported == [(1,)]
    assert main(["audit", "verify", "--home", str(home)]) == 0


def test_an_unbalanced_journal_stops_the_follow_up_before_xero(posted_boutique):
    from pipeline.definitions import defs

    path, resources = posted_boutique
    (refund_id,) = _refund_of_the_day(path)
    assert _run_form(resources, refund_id).success
    with duckdb.connect(path) as con:
        # A cent lost from an already-posted line: the journal no longer balances.
        con.execute(
            "UPDATE marts.journal_lines SET debit = debit - 0.01 WHERE (entry_id, line_no) = "
            "(SELECT (entry_id, line_no) FROM marts.journal_lines WHERE debit > 0 "
            "ORDER BY ALL LIMIT 1)"
        )
    followup = defs.resolve_job_def("refund_reason_followup_job").execute_in_process(
        resources=resources,
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        raise_on_error=False,
    )
    assert not followup.success
    evaluations = {e.check_name: e.passed for e in followup.get_asset_check_evaluations()}
    assert evaluations["journal_lines_gx"] is False
    with duckdb.connect(path, read_only=True) as con:
        unsent = con.execute(
            "SELECT count(*) FROM marts.journal_entries AS e WHERE adjusts_entry_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM ops.sync_log AS s WHERE s.idempotency_key = e.entry_id)"
        ).fetchone()
    assert unsent == (1,)  # the adjusting entry waits: nothing reached Xero
