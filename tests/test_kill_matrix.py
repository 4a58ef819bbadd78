"""The kill -9 matrix: a `backbone run` killed with SIGKILL at extract, journal, Xero write-back
(after Xero answered, before its ops.sync_log row) and export, then an unattended re-run.

Each re-run must finish on its own (the dead run failed, its duckdb_warehouse slot freed), and
leave the journal, the Beancount export and the simulator's Xero organisation exactly as one
clean run does: no manual journal written twice. The simulator's writes outlive the killed
process in BACKBONE_SANDBOX_STATE (under the home), so the count is taken at the vendor.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipeline.settings import REPO_ROOT
from sandbox import persist
from tests.fault_run import FAULT_POINTS
from tests.test_run_live import BACKBONE, clean_env

NOW = "2026-11-20T12:00:00Z"
DAY = "2026-11-19"
RUN = ["run", "--from", DAY, "--to", DAY, "--business", "cafe"]
TIMEOUT = 400  # one business day takes about a minute on a busy 2-core machine


def env() -> dict[str, str]:
    # A bounded wait: a re-run that cannot reclaim the warehouse fails instead of hanging.
    return clean_env(BACKBONE_SOURCE="sandbox", BACKBONE_NOW=NOW, BACKBONE_WAIT_SECONDS="60")


@dataclass(frozen=True)
class Outcome:
    journal: tuple[list[tuple], list[tuple]]
    ledger: str
    xero_journals: Counter
    logged: int


def outcome(home: Path) -> Outcome:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        entries = con.execute("SELECT * FROM marts.journal_entries ORDER BY ALL").fetchall()
        lines = con.execute("SELECT * FROM marts.journal_lines ORDER BY ALL").fetchall()
        logged = con.execute(
            "SELECT count(*) FROM ops.sync_log WHERE target LIKE 'xero:ManualJournals:%' "
            "AND status = 'posted'"
        ).fetchone()[0]
    with (home / "sandbox-state.pickle").open("rb") as handle:
        vendors = persist._Unpickler(handle).load()["vendors"]
    narrations = Counter(j.body["Narration"] for j in vendors["xero"]["cafe"]["journals"])
    ledger = (home / "exports" / "ledger.beancount").read_text()
    return Outcome((entries, lines), ledger, narrations, logged)


def run_statuses(home: Path) -> Counter:
    with sqlite3.connect(home / "dagster" / "history" / "runs.db") as con:
        return Counter(status for (status,) in con.execute("SELECT status FROM runs"))


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Outcome:
    home = tmp_path_factory.mktemp("clean")
    done = subprocess.run(  # noqa: S603 - our own console script
        [BACKBONE, *RUN, "--home", str(home)],
        env=env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = outcome(home)
    assert result.journal[0] and result.logged == sum(result.xero_journals.values()) > 0
    return result


@pytest.mark.e2e
@pytest.mark.parametrize("point", list(FAULT_POINTS))
def test_a_run_killed_at_a_point_is_recovered_by_the_next_run_unattended(point, clean, tmp_path):
    home, marker = tmp_path / "home", tmp_path / "killed-at"
    killed = subprocess.run(  # noqa: S603 - the test hook around our own CLI
        [sys.executable, "-m", "tests.fault_run", point, str(marker), *RUN, "--home", str(home)],
        cwd=REPO_ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert marker.read_text() == point
    assert run_statuses(home)["STARTED"] == 1  # what used to wedge every later run

    rerun = subprocess.run(  # noqa: S603 - our own console script
        [BACKBONE, *RUN, "--home", str(home)],
        env=env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "its process died; marked failed" in rerun.stdout
    statuses = run_statuses(home)
    assert statuses["STARTED"] == 0 and statuses["FAILURE"] == 1

    after = outcome(home)
    assert after.journal == clean.journal
    assert after.ledger == clean.ledger
    assert list((home / "exports").glob("*.tmp")) == []  # the killed export's file is gone
    # 0 duplicate Xero writes: each entry once at the vendor, once in ops.sync_log.
    assert after.xero_journals == clean.xero_journals
    assert max(after.xero_journals.values()) == 1
    assert after.logged == clean.logged
