"""Crash recovery pieces on a real Dagster instance: a dead run's slot reclaimed, a live one
waited for (bounded), one `backbone run` per home."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import uuid

import pytest
from dagster import DagsterInstance, DagsterRunStatus
from dagster._core.storage.dagster_run import DagsterRun

from assets.partitions import WAREHOUSE_POOL
from pipeline.app.instance import prepare_dagster_home
from pipeline.app.recovery import (
    HOST_TAG,
    PID_STARTED_TAG,
    PID_TAG,
    Busy,
    home_lock,
    owner_is_gone,
    process_tags,
    wait_for_pool,
)
from tests.test_run_live import BACKBONE, clean_env


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


def test_a_process_is_gone_when_its_pid_is_dead_or_reused_and_only_on_this_host():
    mine = process_tags()
    assert not owner_is_gone(mine)
    assert owner_is_gone({**mine, PID_TAG: str(dead_pid())})
    # The same pid, started at another time: a newer process reusing the dead one's pid.
    assert owner_is_gone({**mine, PID_STARTED_TAG: "1"})
    assert not owner_is_gone({**mine, HOST_TAG: "another-host", PID_TAG: str(dead_pid())})
    assert not owner_is_gone({"dagster/from_ui": "true"})


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKBONE_DAGSTER_STORAGE", raising=False)
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))  # restored after the test
    prepare_dagster_home()
    with DagsterInstance.get() as instance:
        yield instance


def holding_run(instance: DagsterInstance, tags: dict[str, str]) -> str:
    """A STARTED run holding the warehouse slot, as a killed `backbone run` leaves it."""
    run_id = str(uuid.uuid4())
    instance.add_run(
        DagsterRun(
            job_name="journal_job", run_id=run_id, status=DagsterRunStatus.STARTED, tags=tags
        )
    )
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
    assert storage.claim_concurrency_slot(WAREHOUSE_POOL, run_id, "journal_day", 0).is_claimed
    return run_id


def test_a_dead_runs_slot_is_freed_and_the_run_failed(instance):
    run_id = holding_run(instance, {**process_tags(), PID_TAG: str(dead_pid())})
    said: list[str] = []
    wait_for_pool(instance, WAREHOUSE_POOL, timeout=5, say=said.append, poll=0.1)
    assert instance.get_run_by_id(run_id).status == DagsterRunStatus.FAILURE
    assert instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots == []
    assert said == [f"run {run_id[:8]} (journal_job): its process died; marked failed"]
    # The next run can claim the warehouse at once.
    storage = instance.event_log_storage
    assert storage.claim_concurrency_slot(WAREHOUSE_POOL, "next", "step", 0).is_claimed


def test_a_slot_left_by_an_ended_run_is_freed(instance):
    run_id = holding_run(instance, {"dagster/from_ui": "true"})
    instance.report_run_failed(instance.get_run_by_id(run_id), "ended elsewhere")
    wait_for_pool(instance, WAREHOUSE_POOL, timeout=5, say=lambda line: None, poll=0.1)
    assert instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots == []


def test_a_live_holder_is_waited_for_then_given_up_on_in_one_line(instance):
    run_id = holding_run(instance, process_tags())  # this very process: alive
    said: list[str] = []
    with pytest.raises(Busy) as busy:
        wait_for_pool(instance, WAREHOUSE_POOL, timeout=0.5, say=said.append, poll=0.1)
    message = str(busy.value)
    assert message.startswith("gave up after 0s waiting for the warehouse: run ")
    assert run_id[:8] in message and "BACKBONE_WAIT_SECONDS" in message and "\n" not in message
    assert said == [
        f"waiting for the warehouse: run {run_id[:8]} (journal_job) holds the "
        f"{WAREHOUSE_POOL} pool (Ctrl-C stops)"
    ]
    assert instance.get_run_by_id(run_id).status == DagsterRunStatus.STARTED


def test_a_second_run_on_the_same_home_waits_then_says_already_running(tmp_path):
    said: list[str] = []
    with (
        home_lock(tmp_path, timeout=1, say=said.append),
        pytest.raises(Busy, match="already running on"),
        home_lock(tmp_path, timeout=0.3, say=said.append),
    ):
        pass
    assert said == [
        f"already running on {tmp_path}: pid {os.getpid()} on {socket.gethostname()}; "
        "waiting for it (Ctrl-C stops)"
    ]
    with home_lock(tmp_path, timeout=0.3, say=said.append):  # released with its holder
        pass


def test_backbone_run_on_a_busy_home_says_already_running_not_a_traceback(tmp_path):
    env = clean_env(BACKBONE_NOW="2026-11-20T12:00:00Z", BACKBONE_WAIT_SECONDS="1")
    with home_lock(tmp_path, timeout=1, say=lambda line: None):
        second = subprocess.run(  # noqa: S603 - our own console script
            [
                BACKBONE,
                "run",
                "--from",
                "2026-11-19",
                "--to",
                "2026-11-19",
                "--home",
                str(tmp_path),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert second.returncode == 75, second.stdout + second.stderr
    assert "already running on" in second.stdout
    assert second.stderr.strip().startswith("backbone run: already running on")
    assert "Traceback" not in second.stdout + second.stderr
    assert "_schema" not in second.stdout + second.stderr


def held_warehouse(home) -> str:
    """`home`'s Dagster instance with the warehouse slot held by a live run (this process)."""
    prepare_dagster_home(home)
    with DagsterInstance.get() as instance:
        return holding_run(instance, process_tags())


@pytest.mark.e2e
def test_backbone_run_gives_up_on_a_held_warehouse_in_one_line_and_ctrl_c_stops_it(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("BACKBONE_DAGSTER_STORAGE", raising=False)
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))  # restored after the test
    run_id = held_warehouse(tmp_path)
    args = [BACKBONE, "run", "--from", "2026-11-19", "--to", "2026-11-19", "--business", "cafe"]
    args += ["--home", str(tmp_path)]
    env = clean_env(BACKBONE_NOW="2026-11-20T12:00:00Z", PYTHONUNBUFFERED="1")

    bounded = subprocess.run(  # noqa: S603 - our own console script
        args, env={**env, "BACKBONE_WAIT_SECONDS": "2"}, capture_output=True, text=True, timeout=180
    )
    assert bounded.returncode == 75, bounded.stdout + bounded.stderr
    assert bounded.stderr.startswith(
        f"backbone run: gave up after 2s waiting for the warehouse: run {run_id[:8]} (journal_job)"
    )
    assert bounded.stderr.count("\n") == 1

    waiting = subprocess.Popen(  # noqa: S603 - our own console script
        args,
        env={**env, "BACKBONE_WAIT_SECONDS": "600"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(180, waiting.kill)
    watchdog.start()
    try:
        for line in waiting.stdout:
            if "waiting for the warehouse" in line:
                break
        waiting.send_signal(signal.SIGINT)
        _, err = waiting.communicate(timeout=30)
    finally:
        watchdog.cancel()
    assert waiting.returncode == 130
    assert err == "backbone run: stopped (Ctrl-C)\n"
