"""Shared fixtures: a served sandbox over real HTTP and resources pointing at it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from resources.hubspot import HubSpotResource
from resources.square import SquareResource
from resources.warehouse import WarehouseResource
from resources.xero import XeroResource
from sandbox.tests.vendor_specs import specs_dir, xero_schema  # noqa: F401 - fixtures

# A fixed sandbox clock keeps every test independent of the day it runs on.
SANDBOX_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY_1, DAY_2 = "2026-11-17", "2026-11-18"


@contextmanager
def served_sandbox(faults: str | None = None, now: datetime = SANDBOX_NOW) -> Iterator[str]:
    from sandbox import Faults, Sandbox
    from sandbox.server import start_background

    sandbox = Sandbox(now=now, faults=Faults.parse(faults) if faults else Faults())
    server, base_url = start_background(sandbox, host="127.0.0.1", port=0)
    try:
        yield base_url
    finally:
        server.shutdown()


def http_resources(base_url: str, warehouse_path: str, **connector) -> dict:
    return {
        "square": SquareResource(
            base_url=f"{base_url}/{{business}}/square", access_token="test-token", **connector
        ),
        "hubspot": HubSpotResource(
            base_url=f"{base_url}/{{business}}/hubspot", access_token="test-token", **connector
        ),
        "xero": XeroResource(
            base_url=f"{base_url}/{{business}}/xero/api.xro/2.0",
            access_token="test-token",
            **connector,
        ),
        "warehouse": WarehouseResource(path=warehouse_path),
    }


@pytest.fixture(autouse=True)
def _sandbox_state_stays_in_its_test(monkeypatch):
    """`backbone run`/`demo` point the simulator's state file into their home (environment):
    undone after each test, so no later test's simulator reads an earlier test's writes."""
    monkeypatch.setenv("BACKBONE_SANDBOX_STATE", "")
    monkeypatch.delenv("BACKBONE_SANDBOX_STATE")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.delenv("BACKBONE_BUSINESSES", raising=False)
    return tmp_path


def bean_check(path) -> subprocess.CompletedProcess:
    """The `bean-check` command installed beside this Python, on one ledger file."""
    command = [str(Path(sys.executable).with_name("bean-check")), str(path)]
    return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603


def daily_twice_in_modes(home: Path, make_sandbox, modes: dict[str, str], env: dict[str, str]):
    """`daily_job` for DAY_2 twice over the simulator `make_sandbox()` builds (after `env` is
    set, so it may read it) served on HTTP, with the businesses of `modes` booking payouts in
    Xero as given (a copy of reference/ with their payout_deposits changed). Returns the
    simulator and the ledger and payout write-backs' request counts per run: a re-run must send
    nothing."""
    from assets.ledger_sync import LEDGER_SYNC, PAYOUT_SYNC
    from pipeline.definitions import defs
    from pipeline.settings import reference_dir
    from sandbox.server import start_background

    folder = home / "reference"
    shutil.copytree(reference_dir(), folder)
    csv = folder / "businesses.csv"
    header, *rows = csv.read_text().splitlines()
    column = header.split(",").index("payout_deposits")
    for n, row in enumerate(rows):
        cells = row.split(",")
        cells[column] = modes.get(cells[0], cells[column])
        rows[n] = ",".join(cells)
    csv.write_text("\n".join([header, *rows]) + "\n")
    mp = pytest.MonkeyPatch()
    for name, value in {
        "BACKBONE_HOME": str(home),
        "BACKBONE_REFERENCE_DIR": str(folder),
        "BACKBONE_BUSINESSES": ",".join(modes),
        **env,
    }.items():
        mp.setenv(name, value)
    sandbox = make_sandbox()
    server, base_url = start_background(sandbox)
    requests: list[dict] = []
    try:
        job = defs.resolve_job_def("daily_job")
        for _run in range(2):
            result = job.execute_in_process(
                partition_key=DAY_2,
                resources=http_resources(base_url, str(home / "warehouse.duckdb")),
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            )
            assert result.success
            requests.append(
                {
                    e.asset_key: e.materialization.metadata["requests"].value
                    for e in result.get_asset_materialization_events()
                    if e.asset_key in (LEDGER_SYNC, PAYOUT_SYNC)
                }
            )
    finally:
        server.shutdown()
        mp.undo()
    return sandbox, requests
