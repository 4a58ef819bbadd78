"""`backbone run` in live mode against the served simulator with faults, as a person runs it.

Three runs of the real console script (subprocesses), one business, two dates, one clock:
1. live: BACKBONE_SOURCE=live, the three *_BASE_URLs at `backbone sandbox serve --faults
   "429=3,5xx=4"` on a free port, one token each and XERO_TENANT_ID, BACKBONE_NOW = the served
   simulator's clock;
2. the same dates in sandbox mode, in process, on BACKBONE_NOW while the simulator's own clock
   (BACKBONE_SANDBOX_NOW) says another day, so only the clock hand-over can make them agree;
3. live again: nothing new to post, so no Xero write reaches the server.
The journals of 1 and 2 must hash the same, and every stamp run 1 wrote must be the clock.
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import httpx
import pytest

from pipeline.settings import REPO_ROOT
from tests.test_world import free_port

BACKBONE = str(Path(sys.executable).with_name("backbone"))
NOW = "2026-11-20T12:00:00Z"
CLOCK = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FROM, TO = "2026-11-18", "2026-11-19"
RUN = ["run", "--from", FROM, "--to", TO, "--business", "cafe"]
# Every stamp a run writes, by table: all of them must read the run's clock.
STAMPS = {
    "ops.sync_log": '"at"',
    "ops.audit_log": '"at"',
    "ops.extract_log": '"at"',
    "ops.dead_letter": '"at"',
    "marts.journal_entries": "posted_at",
    "core.identity_map": "assigned_at",
    "raw.square_orders": "_extracted_at",
    "raw.square_payments": "_extracted_at",
    "raw.square_payout_entries": "_extracted_at",
    "raw.xero_bank_transactions": "_extracted_at",
    "raw.square_customers": "_extracted_at",
    "raw.hubspot_contacts": "_extracted_at",
    "raw.xero_accounts": "_extracted_at",
}


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any Backbone or vendor setting, plus `extra`."""
    prefixes = ("BACKBONE_", "SQUARE_", "HUBSPOT_", "XERO_", "DAGSTER_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {**env, **extra}


def backbone(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own console script
        [BACKBONE, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finished(process: subprocess.Popen) -> str:
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 0, out
    return out


def served_requests(base_url: str) -> list[dict]:
    return httpx.get(f"{base_url}/_sandbox/requests", timeout=10).json()


def journal_sha256(home: Path) -> tuple[str, int]:
    """sha256 of the ordered journal dump, one line per row, fields joined by '|'."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT * FROM marts.journal_lines ORDER BY ALL").fetchall()
    dump = "".join("|".join(str(field) for field in row) + "\n" for row in rows)
    return hashlib.sha256(dump.encode()).hexdigest(), len(rows)


def stamps(home: Path) -> dict[str, set]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {
            table: {
                row[0] for row in con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall()
            }
            for table, column in STAMPS.items()
        }


def sync_log(home: Path, target: str = "xero:ManualJournals:%") -> list[tuple]:
    """The run's log rows of one kind of write (the journal write-back by default)."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT * FROM ops.sync_log WHERE target LIKE ? ORDER BY ALL", [target]
        ).fetchall()


def is_vendor_write(request: dict) -> bool:
    """A request that changes something at Xero or HubSpot (their searches and batch reads are
    POSTs that only read)."""
    path, method = request["path"], request["method"]
    if "/xero/" in path:
        return method in {"PUT", "POST"}
    if "/hubspot/" in path:
        reads = path.endswith("/search") or path.endswith("/batch/read")
        return method in {"PUT", "PATCH", "DELETE"} or (method == "POST" and not reads)
    return False


def cafe_tenant() -> str:
    with (REPO_ROOT / "reference" / "businesses.csv").open(newline="") as handle:
        return next(
            r["xero_tenant_id"] for r in csv.DictReader(handle) if r["business_id"] == "cafe"
        )


@pytest.fixture
def served():
    """`backbone sandbox serve` with faults on a free port, on the fixed clock."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own console script
        [BACKBONE, "sandbox", "serve", "--port", str(port), "--faults", "429=3,5xx=4"],
        env=clean_env(BACKBONE_SANDBOX_NOW=NOW),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                served_requests(base_url)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.e2e
def test_a_live_run_against_the_served_simulator_matches_the_in_process_run(tmp_path, served):
    live_home, sandbox_home = tmp_path / "live", tmp_path / "sandbox"
    live = clean_env(
        BACKBONE_SOURCE="live",
        BACKBONE_NOW=NOW,
        SQUARE_BASE_URL=f"{served}/{{business}}/square",
        HUBSPOT_BASE_URL=f"{served}/{{business}}/hubspot",
        XERO_BASE_URL=f"{served}/{{business}}/xero/api.xro/2.0",
        SQUARE_ACCESS_TOKEN="sq-e2e-token",
        HUBSPOT_ACCESS_TOKEN="hs-e2e-token",
        XERO_ACCESS_TOKEN="xero-e2e-token",
        XERO_TENANT_ID=cafe_tenant(),
    )
    in_process = clean_env(
        BACKBONE_SOURCE="sandbox", BACKBONE_NOW=NOW, BACKBONE_SANDBOX_NOW="2026-12-01T12:00:00Z"
    )
    # The two first runs share nothing (own homes, own worlds), so they run side by side.
    first = backbone(*RUN, "--home", str(live_home), env=live)
    reference = backbone(*RUN, "--home", str(sandbox_home), env=in_process)
    first_out, reference_out = finished(first), finished(reference)
    after_first = served_requests(served)

    assert "source: live" in first_out and "source: sandbox" in reference_out
    assert f"{FROM} .. {TO} (2 business days)" in first_out
    live_sha, lines = journal_sha256(live_home)
    assert lines > 0
    assert journal_sha256(sandbox_home) == (live_sha, lines)

    # The faults were really served, and retried through.
    statuses = [r["status"] for r in after_first]
    assert 429 in statuses and any(s >= 500 for s in statuses)
    xero_writes = [
        r for r in after_first if r["path"].endswith("/ManualJournals") and r["method"] == "PUT"
    ]
    posted = [r for r in xero_writes if r["status"] == 200]
    entries = len(sync_log(live_home))
    assert entries > 0 and len(posted) == entries
    assert f"{entries} manual journal(s) posted to Xero" in first_out

    # One clock: every stamp the live run wrote is BACKBONE_NOW, none the machine's.
    written = stamps(live_home)
    assert {table for table, values in written.items() if values} >= {
        "ops.sync_log",
        "ops.audit_log",
        "ops.extract_log",
        "marts.journal_entries",
        "core.identity_map",
        "raw.square_orders",
    }
    assert set().union(*written.values()) == {CLOCK}
    with duckdb.connect(str(live_home / "warehouse.duckdb"), read_only=True) as con:
        freshness = con.execute(
            "SELECT DISTINCT value FROM marts.scorecard_daily WHERE metric = 'data_freshness_hours'"
        ).fetchall()
    assert freshness == [(0,)]  # extracted at the clock, aged on the clock

    # A second run: same journal, same sync log, and not one write reaches Xero or HubSpot.
    logged = sync_log(live_home, "%")
    second_out = finished(backbone(*RUN, "--home", str(live_home), env=live))
    during_second = served_requests(served)[len(after_first) :]
    assert during_second, "the second run extracted nothing from the server"
    assert [r for r in during_second if is_vendor_write(r)] == []
    assert "0 manual journal(s) posted to Xero in 0 request(s)" in second_out
    assert journal_sha256(live_home) == (live_sha, lines)
    assert sync_log(live_home, "%") == logged
