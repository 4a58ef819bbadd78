"""Dagster's SQLite event log, keeping one SQLAlchemy engine per database file.

Dagster's own `SqliteEventLogStorage` builds a new SQLAlchemy engine for every event it writes
(and disposes of it after): dialect setup, URL parsing and pool creation, about 5 ms a time, and
two of them for each asset event (its run's file and the cross-run index). That was a tenth of
`make demo`'s wall time. Here an engine is made once per file and kept; every use still opens
and closes its own SQLite connection (NullPool), so what is on disk, the locking between
processes and the busy timeout are Dagster's, unchanged. Postgres (dagster-postgres.yaml) pools
its connections already and does not use this.

`prepare_dagster_home` (pipeline/app/instance.py) names this class in the home's dagster.yaml,
with the home's absolute directory; the run and schedule storage stay Dagster's SQLite defaults,
in the same directories as before. The repository's own dagster.yaml does not name it, so a
Dagster process started there without a home (`dagster definitions validate`) is unaffected.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster._config import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

# A webserver reads many runs' files over its life: keep the engines of the latest few only (an
# engine holds no connection, so dropping one closes nothing).
ENGINES_KEPT = 64


class EngineKeepingSqliteEventLogStorage(SqliteEventLogStorage):
    """`base_dir`: where the per-run and index databases are ($DAGSTER_HOME/history/runs)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls) -> Mapping[str, Any]:
        return {"base_dir": Field(StringSource)}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> EngineKeepingSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            self._engines[shard] = engine
            if len(self._engines) > ENGINES_KEPT:
                self._engines.popitem(last=False)[1].dispose()
        else:
            self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # As Dagster's own _connect, but with the kept engine.
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        super().dispose()
