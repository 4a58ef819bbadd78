"""The DuckDB warehouse as a Dagster resource: one writer at a time (pipeline/store/connection)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from pipeline.settings import warehouse_path
from pipeline.store.audit import TRIGGER_VARIABLE, trigger_of
from pipeline.store.connection import open_duckdb


class WarehouseResource(dg.ConfigurableResource):
    """`path` defaults to $BACKBONE_HOME/warehouse.duckdb.

    Inside a run the database stays open from the run's first connection to its end, and each
    `connect()` is a cursor on it. Opening the file reads its whole catalog and closing its last
    connection checkpoints it: about 20 ms each, for ~180 step connections in a demo. Holding
    the single-writer lock for a run blocks no other run (dagster.yaml allows one at a time);
    another process (`backbone sql`, `backbone erase`) waits for the run's end as it waited
    for a step's. Outside a run (a test, a script) every `connect()` opens and closes."""

    path: str = ""
    # Who started the run (schedule, sensor, UI user, CLI), for the audit rows it writes.
    _triggered_by: str | None = PrivateAttr(default=None)
    _in_run: bool = PrivateAttr(default=False)
    _held: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.dagster_run
        self._triggered_by = trigger_of(run.tags) if run is not None else None
        self._in_run = True

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._in_run = False
        if self._held is not None:
            self._held.close()
            self._held = None

    def resolved_path(self) -> Path:
        return Path(self.path).resolve() if self.path else warehouse_path()

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        if not self._in_run:
            return open_duckdb(self.resolved_path(), read_only=read_only)
        if self._held is None:
            # Read-write even for a read-only step: a later step of the run writes, and one
            # process cannot hold the same file both ways.
            self._held = open_duckdb(self.resolved_path())
        return self._held.cursor()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._open(read_only)
        try:
            if self._triggered_by and not read_only:
                con.execute(f"SET VARIABLE {TRIGGER_VARIABLE} = ?", [self._triggered_by])
            yield con
        finally:
            con.close()
