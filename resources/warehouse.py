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
    """`path` defaults to $BACKBONE_HOME/warehouse.duckdb."""

    path: str = ""
    # Who started the run (schedule, sensor, UI user, CLI), for the audit rows it writes.
    _triggered_by: str | None = PrivateAttr(default=None)
    # Inside `held()`: the database it holds open, once a connect() has opened it.
    _holding: bool = PrivateAttr(default=False)
    _held: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.dagster_run
        self._triggered_by = trigger_of(run.tags) if run is not None else None

    def resolved_path(self) -> Path:
        return Path(self.path).resolve() if self.path else warehouse_path()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Within the block every `connect()` is a cursor on one open database, opened at the
        first connect and closed at the block's end or by `let_go()`.

        For a step that connects many times (an extract lands each date of its window apart):
        opening the file reads its whole catalog and closing its last connection checkpoints
        it, about 25 ms together. Hold it for one step at most: between steps the warehouse
        pool lets another process's run take its turn, and a file held across steps would keep
        that run waiting on DuckDB's lock while it holds the pool slot our next step waits for.
        """
        if self._holding:  # already held by an enclosing block
            yield
            return
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
            self.let_go()

    def let_go(self) -> None:
        """Close the held database; the block's next `connect()` opens it again. Called before
        a vendor is asked anything, so the file is never locked while a vendor answers: the
        refund-reason form and `backbone sql` open it between a step's landings."""
        held, self._held = self._held, None
        if held is not None:
            held.close()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of its own; a cursor on the held database inside `held()` (read-write
        then even when `read_only`: one process cannot have the file open both ways)."""
        if self._holding:
            if self._held is None:
                self._held = open_duckdb(self.resolved_path())
            con = self._held.cursor()
        else:
            con = open_duckdb(self.resolved_path(), read_only=read_only)
        try:
            if self._triggered_by and not read_only:
                con.execute(f"SET VARIABLE {TRIGGER_VARIABLE} = ?", [self._triggered_by])
            yield con
        finally:
            con.close()
