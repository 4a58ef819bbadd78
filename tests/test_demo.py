"""`backbone demo` end to end (in-process sandbox): files, scorecard, and a re-run that
changes no journal row."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.cli import main


def journal(home):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT e.*, l.* FROM marts.journal_entries AS e "
            "JOIN marts.journal_lines AS l USING (entry_id) ORDER BY ALL"
        ).fetchall()


@pytest.mark.e2e
def test_demo_runs_and_a_second_run_changes_no_journal_row(tmp_path, monkeypatch, capsys):
    for var in ("BACKBONE_HOME", "DAGSTER_HOME", "BACKBONE_BUSINESSES"):
        monkeypatch.setenv(var, "")
    monkeypatch.setenv("BACKBONE_SANDBOX_NOW", "2026-11-20T12:00:00Z")
    args = ["demo", "--days", "2", "--business", "cafe,boutique", "--home", str(tmp_path)]

    assert main(args) == 0
    first = journal(tmp_path)
    out = capsys.readouterr().out
    assert "2026-11-18 .. 2026-11-19" in out and "scorecard.duckdb" in out
    assert (tmp_path / "scorecard.duckdb").exists()
    assert (tmp_path / "dagster" / "dagster.yaml").exists()

    assert main(args) == 0
    assert journal(tmp_path) == first
    assert {row[2] for row in first} == {"LCAFE01", "LBTQSEA", "LBTQPDX"}
