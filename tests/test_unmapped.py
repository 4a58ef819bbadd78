"""An unmapped SKU holds its location-day, through Dagster, and the exception names it.

The POS sells a Blueberry Muffin that products.csv no longer lists, and a "Morning Combo" with
no SKU whose crosswalk row is gone (its POS name is not the accounting name, and names are never
guessed). Extract, models and journal run as the separate jobs `backbone demo` runs: the
blocking coverage check fails in models_job, and journal_job holds the cafe's one location's day
whole, each item a row in marts.posting_exceptions. Mapping the items again lets the day post.
(tests/test_held_input.py shows the other locations and days post meanwhile.)
"""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from pipeline.settings import REPO_ROOT

DAY = "2026-11-19"


def _drop_line(path, startswith: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(startswith)]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept))


def _run(job: str, partition: str | None, instance):
    from pipeline.definitions import defs

    return defs.resolve_job_def(job).execute_in_process(
        instance=instance,
        partition_key=partition,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )


def _failures(result) -> list[str]:
    return [
        e.event_specific_data.error.message
        for e in result.all_events
        if e.is_step_failure and e.event_specific_data and e.event_specific_data.error
    ]


@pytest.mark.e2e
def test_unmapped_sku_holds_the_day_and_names_the_sku(tmp_path, monkeypatch):
    refdir = tmp_path / "reference"
    shutil.copytree(REPO_ROOT / "reference", refdir)
    _drop_line(refdir / "products.csv", "cafe,CAF-MUF,")
    _drop_line(refdir / "pos_crosswalk.csv", "cafe,VAR-CAF-CC,")
    home = tmp_path / "home"
    monkeypatch.setenv("BACKBONE_HOME", str(home))
    monkeypatch.setenv("BACKBONE_REFERENCE_DIR", str(refdir))
    monkeypatch.setenv("BACKBONE_BUSINESSES", "cafe")
    monkeypatch.setenv("BACKBONE_SANDBOX_NOW", "2026-11-20T12:00:00Z")
    monkeypatch.delenv("BACKBONE_SOURCE", raising=False)

    with dg.DagsterInstance.ephemeral() as instance:
        assert _run("extract_job", DAY, instance).success
        models = _run("models_job", None, instance)
        checks = {e.check_name: e for e in models.get_asset_check_evaluations() if not e.passed}
        assert "reference_covers_data" in checks
        listed = checks["reference_covers_data"].metadata["unmapped"].value
        assert "unmapped SKU cafe:CAF-MUF (variation VAR-CAF-MUF, POS name Blueberry Muffin)" in (
            listed
        )
        assert "unmapped SKU cafe:VAR-CAF-CC (variation VAR-CAF-CC, POS name Morning Combo)" in (
            listed
        )

        journal = _run("journal_job", DAY, instance)
        assert journal.success and not _failures(journal)

        path = str(home / "warehouse.duckdb")
        with duckdb.connect(path, read_only=True) as con:
            assert con.execute("SELECT count(*) FROM marts.journal_lines").fetchone() == (0,)
            held = con.execute(
                "SELECT location_id, object_id, reason FROM marts.posting_exceptions ORDER BY ALL"
            ).fetchall()
            assert [(loc, item) for loc, item, _ in held] == [
                ("LCAFE01", "sku cafe:CAF-MUF"),
                ("LCAFE01", "sku cafe:VAR-CAF-CC"),
            ]
            assert held[0][2].startswith(
                f"LCAFE01 {DAY} held whole: unmapped SKU cafe:CAF-MUF (variation VAR-CAF-MUF, "
                "POS name Blueberry Muffin) seen in "
            )
            assert held[0][2].endswith(
                "map it in reference/ (docs/reference-data.md) and re-run the day"
            )
            # The rows are kept, unmapped, not guessed: no account, and the reason.
            quarantined = con.execute(
                "SELECT DISTINCT pos_name, revenue_account, mapping_issue FROM core.sales_lines "
                "WHERE sku IS NULL ORDER BY ALL"
            ).fetchall()
            assert quarantined == [
                ("Blueberry Muffin", None, "unmapped SKU"),
                ("Morning Combo", None, "unmapped SKU"),
            ]
            seen = con.execute(
                "SELECT item, seen FROM core.unmapped_items WHERE kind = 'sku' ORDER BY item"
            ).fetchall()
            assert [item for item, _ in seen] == ["CAF-MUF", "VAR-CAF-CC"]
            assert all(n > 0 for _, n in seen)

        # Ops maps them again: the same day now posts, balanced, muffin revenue included.
        monkeypatch.setenv("BACKBONE_REFERENCE_DIR", str(REPO_ROOT / "reference"))
        models = _run("models_job", None, instance)
        assert models.success
        assert all(e.passed for e in models.get_asset_check_evaluations())
        assert _run("journal_job", DAY, instance).success
        with duckdb.connect(path, read_only=True) as con:
            debit, credit = con.execute(
                "SELECT sum(debit), sum(credit) FROM marts.journal_lines"
            ).fetchone()
            assert debit == credit and debit > 0
            assert con.execute("SELECT count(*) FROM core.unmapped_items").fetchone() == (0,)
            assert con.execute("SELECT count(*) FROM marts.posting_exceptions").fetchone() == (0,)
