"""The instance a Backbone home configures keeps Dagster's SQLite event log where it was, whole.

The event log class is ours only to keep one SQLAlchemy engine per file
(pipeline/app/sqlite_event_log.py); everything Dagster reads back must be as before.
"""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from pipeline.app import sqlite_event_log
from pipeline.app.instance import prepare_dagster_home
from pipeline.app.sqlite_event_log import EngineKeepingSqliteEventLogStorage
from pipeline.settings import REPO_ROOT


@dg.asset
def upstream() -> int:
    return 1


@dg.asset
def downstream(upstream: int) -> int:
    return upstream + 1


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKBONE_DAGSTER_STORAGE", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", "/nonexistent")  # prepare_dagster_home sets it
    prepare_dagster_home(tmp_path)
    with dg.DagsterInstance.get() as instance:
        yield instance


def test_dagster_yaml_uses_it_in_dagsters_default_place(instance, tmp_path):
    storage = instance.event_log_storage
    assert isinstance(storage, EngineKeepingSqliteEventLogStorage)
    result = dg.materialize([upstream, downstream], instance=instance)
    assert result.success
    shard = tmp_path / "dagster" / "history" / "runs" / f"{result.run_id}.db"
    assert shard.exists()
    assert (tmp_path / "dagster" / "history" / "runs" / "index.db").exists()


def test_runs_events_and_asset_history_read_back(instance):
    first = dg.materialize([upstream, downstream], instance=instance)
    second = dg.materialize([upstream, downstream], instance=instance)
    for result in (first, second):
        kinds = [
            e.dagster_event.event_type_value
            for e in instance.all_logs(result.run_id)
            if e.dagster_event
        ]
        assert kinds.count("STEP_SUCCESS") == 2
        assert kinds.count("ASSET_MATERIALIZATION") == 2
    latest = instance.get_latest_materialization_event(dg.AssetKey("downstream"))
    assert latest is not None and latest.run_id == second.run_id
    records = instance.fetch_materializations(dg.AssetKey("upstream"), limit=10).records
    assert [r.run_id for r in records] == [second.run_id, first.run_id]


def test_engines_kept_are_bounded_and_an_evicted_runs_events_still_read(instance, monkeypatch):
    monkeypatch.setattr(sqlite_event_log, "ENGINES_KEPT", 2)
    runs = [dg.materialize([upstream], instance=instance).run_id for _ in range(3)]
    storage = instance.event_log_storage
    assert len(storage._engines) <= 2
    events = instance.all_logs(runs[0])  # its engine was dropped: made again
    assert [e.dagster_event.event_type_value for e in events if e.dagster_event].count(
        "STEP_SUCCESS"
    ) == 1


def test_a_dagster_process_without_a_home_loads_the_repository_config(tmp_path, monkeypatch):
    """`dagster definitions validate` (CI's `make validate`) builds a throwaway instance from
    the repository's dagster.yaml with no DAGSTER_HOME: it must not need our class's home."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    ref = InstanceRef.from_dir(str(tmp_path), config_dir=str(REPO_ROOT))
    with dg.DagsterInstance.from_ref(ref) as instance:
        assert not isinstance(instance.event_log_storage, EngineKeepingSqliteEventLogStorage)
