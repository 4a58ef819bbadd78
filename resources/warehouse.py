"""The DuckDB warehouse as a Dagster resource: one writer at a time (pipeline/store/connection)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.settings import warehouse_path
from pipeline.store.connection import open_duckdb


class WarehouseResource(dg.ConfigurableResource):
    """`path` defaults to $BACKBONE_HOME/warehouse.duckdb."""

    path: str = ""

    def resolved_path(self) -> Path:
        return Path(self.path).resolve() if self.path else warehouse_path()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        con = open_duckdb(self.resolved_path(), read_only=read_only)
        try:
            yield con
        finally:
            con.close()
