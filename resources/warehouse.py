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

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.dagster_run
        self._triggered_by = trigger_of(run.tags) if run is not None else None

    def resolved_path(self) -> Path:
        return Path(self.path).resolve() if self.path else warehouse_path()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        con = open_duckdb(self.resolved_path(), read_only=read_only)
        try:
            if self._triggered_by and not read_only:
                con.execute(f"SET VARIABLE {TRIGGER_VARIABLE} = ?", [self._triggered_by])
            yield con
        finally:
            con.close()
