"""`backbone demo` end to end (in-process sandbox): files, scorecard, and a re-run that
changes no journal row and makes no ledger call."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.accounting.xero_journal import BANK_SIDE_KINDS
from pipeline.app.cli import main
from tests.conftest import bean_check


def sync_log(home):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            'SELECT target, idempotency_key, object_id, status, "at", run_id, error '
            "FROM ops.sync_log ORDER BY ALL"
        ).fetchall()


def ledger_writes() -> list[dict]:
    """PUTs the demo's in-process Xero has answered (the sandbox is one per process)."""
    return [w for w in vendor_writes() if w["path"] == "/ManualJournals"]


def vendor_writes(vendor: str | None = None) -> list[dict]:
    from sandbox.plugin import _sandbox

    return [w for w in _sandbox().writes if vendor is None or w["vendor"] == vendor]


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

    writes_before = len(ledger_writes())
    assert main(args) == 0
    first = journal(tmp_path)
    first_log = sync_log(tmp_path)
    hubspot_log = [row for row in first_log if row[0].startswith("hubspot")]
    first_log = [row for row in first_log if not row[0].startswith("hubspot")]
    first_writes = ledger_writes()[writes_before:]
    out = capsys.readouterr().out
    assert "2026-11-18 .. 2026-11-19" in out and "scorecard.duckdb" in out
    assert (tmp_path / "scorecard.duckdb").exists()
    assert (tmp_path / "dagster" / "dagster.yaml").exists()
    ledger = tmp_path / "exports" / "ledger.beancount"
    checked = bean_check(ledger)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    exported = ledger.read_bytes()
    page = (tmp_path / "exports" / "scorecard.html").read_bytes()
    assert b"Juniper Cafe" in page and b"Fern &amp; Thread" in page and b"<svg" in page

    # Every entry went to its business's Xero organisation once, keyed by entry id; the bank
    # side of payouts did not (the bank feed books it; no manual journal on a bank account).
    entries = {(row[1], row[0]) for row in first if row[4] not in BANK_SIDE_KINDS}
    assert {row[4] for row in first} & set(BANK_SIDE_KINDS)
    assert {(t.removeprefix("xero:ManualJournals:"), k) for t, k, *_ in first_log} == entries
    assert {(status, error) for *_, status, _, _, error in first_log} == {("posted", None)}
    assert sorted(w["idempotency_key"] for w in first_writes) == sorted(k for _, k in entries)
    assert {(w["status"], w["replayed"]) for w in first_writes} == {(200, False)}
    assert f"{len(entries)} manual journal(s) posted to Xero" in out

    # The CRM half: segment members per business printed, facts and lists sent to HubSpot.
    assert "Segment members" in out and "boutique" in out
    assert hubspot_log and {row[3] for row in hubspot_log} == {"sent"}
    all_first = len(vendor_writes())

    assert main(args) == 0
    assert journal(tmp_path) == first
    assert sync_log(tmp_path) == sorted(first_log + hubspot_log)  # no new row, none touched
    assert len(vendor_writes()) == all_first  # 0 HubSpot and 0 Xero writes
    second_out = capsys.readouterr().out
    assert "Writes this run (ops.sync_log): HubSpot 0, Xero 0" in second_out
    assert len(ledger_writes()) == writes_before + len(first_writes)  # 0 new ledger calls
    assert "0 manual journal(s) posted to Xero in 0 request(s)" in second_out
    assert ledger.read_bytes() == exported
    assert (tmp_path / "exports" / "scorecard.html").read_bytes() == page
    assert {row[2] for row in first} == {"LCAFE01", "LBTQSEA", "LBTQPDX"}
