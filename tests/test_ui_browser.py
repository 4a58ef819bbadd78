"""The Dagster UI as finance sees it, in a real browser: runs under their jobs, assets and checks.

One `dagster dev` on a temporary home and a free port. First `backbone run` for one business
date (the CLI's runs must be filed under their jobs, as the UI's job pages select them: job name
plus the code location's `.dagster/repository` tag); then `daily_job` for the next date launched
through the GraphQL API, as a person would from the UI; then headless Debian chromium, driven by
Playwright, opens the asset graph, an asset's checks and the job's runs. Screenshots are kept in
the test's tmp folder (the path is printed).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pipeline.settings import REPO_ROOT

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
NOW = "2026-11-20T12:00:00Z"
CLI_DAY, UI_DAY = "2026-11-18", "2026-11-19"
REPOSITORY_TAG = {"key": ".dagster/repository", "value": "__repository__@backbone"}
CLI_JOBS = ("extract_job", "models_job", "journal_job", "ledger_job", "crm_job", "export_job")
BIN = Path(sys.executable).parent

RUNS = """
query Runs($filter: RunsFilter) {
  runsOrError(filter: $filter) {
    __typename
    ... on Runs { results { runId jobName status tags { key value } } }
  }
}"""
LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on InvalidSubsetError { message }
  }
}"""
MATERIALIZATIONS = """
query Materializations($key: AssetKeyInput!) {
  assetOrError(assetKey: $key) {
    ... on Asset { assetMaterializations(limit: 20) { runId partition } }
  }
}"""


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run installs Debian's chromium package")
    pytest.skip(f"no {CHROMIUM} (apt-get install chromium); CI installs it and runs this test")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(url: str, query: str, **variables) -> dict:
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, timeout=30
    )
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def _wait(what: str, seconds: float, probe):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"{what}: not within {seconds:.0f}s")


def _runs(url: str, **run_filter) -> list[dict]:
    return _graphql(url, RUNS, filter=run_filter)["runsOrError"]["results"]


@pytest.fixture
def ui_home(tmp_path):
    """A fresh BACKBONE_HOME on the simulator, and the environment its processes share."""
    _chromium_or_skip()
    home = tmp_path / "home"
    env = {
        **os.environ,
        "BACKBONE_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "BACKBONE_SOURCE": "sandbox",
        "BACKBONE_NOW": NOW,
        "BACKBONE_SANDBOX_NOW": NOW,
        "BACKBONE_BUSINESSES": "cafe",
        "BACKBONE_SANDBOX_STATE": str(home / "sandbox-state.pickle"),
    }
    for name in ("SQUARE_ACCESS_TOKEN", "HUBSPOT_ACCESS_TOKEN", "XERO_ACCESS_TOKEN"):
        env.pop(name, None)
    (home / "dagster").mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster" / "dagster.yaml")
    return home, env


@pytest.fixture
def dagster_dev(ui_home):
    """`dagster dev` on the workspace, stopped (the whole process group) after the test."""
    home, env = ui_home
    port = _free_port()
    log = (home / "dagster-dev.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - the venv's own dagster, fixed arguments
        [BIN / "dagster", "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        yield url, process, home, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _serving(url: str, process) -> bool:
    assert process.poll() is None, "dagster dev exited; see dagster-dev.log in the test's home"
    try:
        return httpx.get(f"{url}/server_info", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_runs_assets_and_checks_in_the_ui(dagster_dev, tmp_path):
    url, process, _home, env = dagster_dev
    # The CLI's runs, written into the same instance while the webserver starts.
    cli = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [BIN / "backbone", "run", "--from", CLI_DAY, "--to", CLI_DAY, "--business", "cafe"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    _wait("dagster dev serving", 180, lambda: _serving(url, process))

    # Each CLI run is found as the job page finds runs: its job name and the location's tag.
    for job in CLI_JOBS:
        runs = _runs(url, pipelineName=job, tags=[REPOSITORY_TAG])
        assert [r["status"] for r in runs] == ["SUCCESS"], (job, runs)
        assert {"key": "backbone/launched_by", "value": "run"} in runs[0]["tags"]

    launched = _graphql(
        url,
        LAUNCH,
        params={
            "selector": {
                "repositoryLocationName": "backbone",
                "repositoryName": "__repository__",
                "jobName": "daily_job",
            },
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": UI_DAY}]},
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    def finished():
        (run,) = [r for r in _runs(url, runIds=[run_id])]
        return run["status"] if run["status"] in {"SUCCESS", "FAILURE", "CANCELED"} else None

    assert _wait(f"daily_job run {run_id}", 240, finished) == "SUCCESS"
    journal = _graphql(url, MATERIALIZATIONS, key={"path": ["marts", "journal_lines"]})
    partitions = {m["partition"] for m in journal["assetOrError"]["assetMaterializations"]}
    assert {CLI_DAY, UI_DAY} <= partitions

    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots: {shots}")
    _browse(url, run_id, shots)


def _open(page, address: str) -> None:
    page.goto(address)
    page.wait_for_load_state("networkidle")


def _browse(url: str, run_id: str, shots: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)
        # A first visit raises Dagster's newsletter dialog over whatever page is open: skip it
        # whenever it shows up, before the next action or assertion.
        skip = page.get_by_role("button", name="Skip")
        page.add_locator_handler(skip, lambda button: button.click())
        try:
            # The ledger group's asset graph: the write-back assets, fed by the journal.
            _open(page, f"{url}/locations/backbone/asset-groups/ledger/lineage")
            for name in ("xero_manual_journals", "xero_payout_deposits", "journal_lines"):
                expect(page.get_by_text(name, exact=True).first).to_be_visible()
            page.screenshot(path=shots / "asset-graph.png")

            # The journal's blocking GX check, evaluated by the runs, on the asset's page.
            _open(page, f"{url}/assets/marts/journal_lines?view=checks")
            expect(page.get_by_text("journal_lines_gx").first).to_be_visible()
            expect(page.get_by_text("Passed").first).to_be_visible()
            page.screenshot(path=shots / "journal-checks.png")

            # The job page lists the run launched through GraphQL, not "No runs found".
            _open(page, f"{url}/locations/backbone/jobs/daily_job/runs")
            expect(page.get_by_text(run_id[:8]).first).to_be_visible()
            assert page.get_by_text("No runs found").count() == 0
            page.screenshot(path=shots / "daily-job-runs.png")

            # And the CLI's extract run under its own job, with its partition.
            _open(page, f"{url}/locations/backbone/jobs/extract_job/runs")
            expect(page.get_by_text(f"partition: {CLI_DAY}").first).to_be_visible()
            expect(page.get_by_text("backbone/launched_by: run").first).to_be_visible()
            page.screenshot(path=shots / "extract-job-runs.png")
        except Exception:
            page.screenshot(path=shots / "failure.png", full_page=True)
            raise
        finally:
            browser.close()
