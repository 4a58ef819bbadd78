"""Test hook, never imported by production code: run `backbone` in this process and kill it
with SIGKILL at a named point, as the OOM killer or `kill -9` would.

    python -m tests.fault_run POINT MARKER backbone-arguments...

POINT is one of FAULT_POINTS; MARKER is a file written just before the kill, so a test knows
the process died there and not somewhere else. The patch wraps a store function before the
definitions import it, so the run is the real one up to the kill.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# point -> (module, function, when to die: (args, kwargs) -> bool, die after the call?)
FAULT_POINTS: dict[str, tuple[str, str, Callable[..., bool], bool]] = {
    # The second raw table of the first extract: the first is landed, the rest are not.
    "extract": ("pipeline.store.raw", "write_landing", lambda n, a, k: n == 2, True),
    # Inside the day's journal transaction: entries appended, nothing committed.
    "journal": ("pipeline.store.journal_write", "_append_entries", lambda n, a, k: True, True),
    # Xero answered a manual journal, its ops.sync_log row is not written yet.
    "writeback": (
        "pipeline.store.sync_log",
        "log_write",
        lambda n, a, k: a[1].startswith("xero:ManualJournals") and a[4] == "posted",
        False,
    ),
    # The Beancount file is written beside the old one and not yet checked nor renamed.
    "export": ("pipeline.store.ledger_export", "check", lambda n, a, k: True, False),
}


def arm(point: str, marker: Path) -> None:
    module_name, name, when, after = FAULT_POINTS[point]
    module = importlib.import_module(module_name)
    original = getattr(module, name)
    calls = 0

    def die() -> None:
        marker.write_text(point)
        os.kill(os.getpid(), signal.SIGKILL)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        hit = when(calls, args, kwargs)
        if hit and not after:
            die()
        result = original(*args, **kwargs)
        if hit:
            die()
        return result

    setattr(module, name, wrapped)


if __name__ == "__main__":
    arm(sys.argv[1], Path(sys.argv[2]))
    from pipeline.app.cli import main

    raise SystemExit(main(sys.argv[3:]))
