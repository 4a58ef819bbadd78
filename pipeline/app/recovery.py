"""Crash recovery for `backbone run` / `demo`: one run per home, dead runs failed, slots freed.

Why: every warehouse-writing step claims the `duckdb_warehouse` pool (assets/partitions.py) and
Dagster frees a slot only when the step that claimed it ends. A process killed with SIGKILL (or
by the OOM killer) never ends its step, so its run stays STARTED and its slot stays claimed, and
every later run blocks at its first warehouse step. Dagster's own run monitoring cannot see such
a run: it was executed in process, not launched, so no run launcher can check its worker. The
runner therefore stamps each run with the process that owns it (host, pid and the pid's start
time, so a reused pid is not taken for the dead one) and, before each step, fails the runs whose
process is gone and frees their slots. A slot held by a live run (e.g. one started from the UI)
is waited for, for a bounded time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

HOST_TAG = "backbone/host"
PID_TAG = "backbone/pid"
PID_STARTED_TAG = "backbone/pid_started"
WAIT_VARIABLE = "BACKBONE_WAIT_SECONDS"
DEFAULT_WAIT_SECONDS = 1800
IN_PROGRESS = [
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


class Busy(Exception):
    """Gave up waiting for the home or the warehouse; the message is one line."""


def wait_seconds() -> float:
    """BACKBONE_WAIT_SECONDS: how long a run waits for another one before giving up."""
    raw = os.environ.get(WAIT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_WAIT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(
            f"{WAIT_VARIABLE}={raw!r} is not a number of seconds (e.g. 600; unset means "
            f"{DEFAULT_WAIT_SECONDS})"
        )
    return value


def _started(pid: int) -> str:
    """The pid's start time in clock ticks since boot (Linux); '' where /proc is not there."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces; fields after its closing ')' are fixed.
    return stat.rsplit(")", 1)[1].split()[19]


def process_tags() -> dict[str, str]:
    """The tags that name this process as the owner of a run."""
    pid = os.getpid()
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(pid), PID_STARTED_TAG: _started(pid)}


def owner_is_gone(tags: dict[str, str]) -> bool:
    """True when the run's owning process is known to be dead: same host, and the pid is not
    running or is a newer process that reuses it. Runs of other hosts are never judged."""
    if tags.get(HOST_TAG) != socket.gethostname() or not tags.get(PID_TAG, "").isdigit():
        return False
    pid = int(tags[PID_TAG])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, another user's
    started = tags.get(PID_STARTED_TAG, "")
    return bool(started) and _started(pid) not in ("", started)


def reclaim_dead_runs(instance: DagsterInstance) -> list[str]:
    """Fail every in-progress run whose process is gone and free its pool slots; also free
    slots still held by runs that have ended. Returns one line per run dealt with."""
    done: list[str] = []
    for record in instance.get_run_records(filters=RunsFilter(statuses=IN_PROGRESS)):
        run = record.dagster_run
        if owner_is_gone(run.tags):
            instance.report_run_failed(
                run,
                f"process {run.tags[PID_TAG]} on {run.tags[HOST_TAG]} is gone (killed or "
                "crashed); marked failed and its duckdb_warehouse slot freed by the next run",
            )
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            done.append(f"run {run.run_id[:8]} ({run.job_name}): its process died; marked failed")
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        for run_id in storage.get_concurrency_run_ids():
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
                done.append(f"run {run_id[:8]}: ended but still held a slot; freed")
    return done


def _holders(instance: DagsterInstance, pool: str) -> list[str]:
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    info = storage.get_concurrency_info(pool)
    return sorted({slot.run_id for slot in info.claimed_slots})


def wait_for_pool(
    instance: DagsterInstance,
    pool: str,
    *,
    timeout: float,
    say: Callable[[str], None],
    poll: float = 1.0,
) -> None:
    """Return once no run holds `pool`, reclaiming dead runs' slots on the way; Busy after
    `timeout` seconds of a live run holding it. Ctrl-C interrupts the wait (KeyboardInterrupt)."""
    deadline = time.monotonic() + timeout
    told = False
    while True:
        for line in reclaim_dead_runs(instance):
            say(line)
        holders = _holders(instance, pool)
        if not holders:
            return
        run = instance.get_run_by_id(holders[0])
        who = f"run {holders[0][:8]} ({run.job_name if run else 'unknown job'})"
        if time.monotonic() >= deadline:
            raise Busy(
                f"gave up after {timeout:.0f}s waiting for the warehouse: {who} still holds the "
                f"{pool} pool and its process is alive; let it finish or stop it in the UI, "
                f"or set {WAIT_VARIABLE} to wait longer"
            )
        if not told:
            say(f"waiting for the warehouse: {who} holds the {pool} pool (Ctrl-C stops)")
            told = True
        time.sleep(poll)


@contextlib.contextmanager
def home_lock(home: Path, *, timeout: float, say: Callable[[str], None]) -> Iterator[None]:
    """One `backbone run`/`demo` at a time per home: a second one waits for the first, saying
    so, and gives up (Busy) after `timeout` seconds. The lock is an flock, so a killed holder
    releases it with its process; the file only says who holds it."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "backbone.lock"
    with path.open("a+") as handle:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                if time.monotonic() >= deadline:
                    raise Busy(
                        f"already running on {home}: {holder}; gave up after {timeout:.0f}s "
                        f"(wait for it, or set {WAIT_VARIABLE} to wait longer)"
                    ) from None
                if not told:
                    say(f"already running on {home}: {holder}; waiting for it (Ctrl-C stops)")
                    told = True
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
