"""The world Backbone's connectors talk to: the vendors' real APIs, or the bundled simulator.

The simulator is an outside package that Backbone never imports. In sandbox mode it is found
through the `backbone.worlds` entry point (pyproject.toml), which hands Backbone two things: an
httpx transport for the connectors and the clock its data lives on. A deployment without the
simulator installed can still run live; asking it for the sandbox fails with one clear line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType

import httpx

from pipeline.settings import pipeline_clock, source_mode

ENTRY_POINT_GROUP = "backbone.worlds"


class WorldNotInstalledError(RuntimeError):
    pass


@cache
def simulator(name: str = "sandbox") -> ModuleType:
    """The simulator's plugin module: `transport()`, `now()` and `main(argv)`."""
    found = entry_points(group=ENTRY_POINT_GROUP, name=name)
    if not found:
        raise WorldNotInstalledError(
            f"BACKBONE_SOURCE=sandbox, but no simulator {name!r} is installed (entry point group "
            f"{ENTRY_POINT_GROUP!r}); install the project with `make demo`, or set "
            "BACKBONE_SOURCE=live"
        )
    return next(iter(found)).load()


def in_process_transport() -> httpx.BaseTransport:
    """The simulator's transport: one simulator per process and clock, so one step's writes
    reach the next. BACKBONE_NOW, when set, is handed over so the simulator's data ends where
    the pipeline's clock says it is."""
    return simulator().transport(now=pipeline_clock())


def pipeline_now() -> datetime:
    """The one clock a run stamps with: BACKBONE_NOW when set (replays, tests), else the
    simulator's in sandbox mode (BACKBONE_SANDBOX_NOW, so a demo set in the past posts into that
    past), else the wall clock. Callers read it once per step and pass it down."""
    clock = pipeline_clock()
    if clock is not None:
        return clock
    if source_mode() == "sandbox":
        return simulator().now()
    return datetime.now(UTC)
