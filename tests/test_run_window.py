"""One run over a window of business dates writes what one run per date writes.

The runner, the daily schedule and a UI backfill launch the extracts and the journal once over
the whole window (assets/partitions.py, SINGLE_RUN). Per-date semantics must not move: each
date's extract replaces its own partition with its own ops.extract_log rows and dead letters,
and each date's journal is posted on its own, oldest first. So the same three dates of the
simulator's cafe and boutique go through both ways, in two homes, and every row the pipeline
keeps per date must be equal, apart from the run id that wrote it.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from assets.partitions import RANGE_END_TAG, RANGE_START_TAG

pytestmark = pytest.mark.e2e

DAYS = ["2026-11-17", "2026-11-18", "2026-11-19"]
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
TABLES = [
    "marts.journal_entries",
    "marts.journal_lines",
    "ops.extract_log",
    "ops.dead_letter",
    "raw.square_orders",
    "raw.square_payments",
    "raw.square_refunds",
    "raw.square_payouts",
    "raw.square_payout_entries",
    "raw.xero_bank_transactions",
]


def _execute(job: str, instance, **how) -> dg.ExecuteInProcessResult:
    from pipeline.definitions import defs

    result = defs.resolve_job_def(job).execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET, **how
    )
    assert result.success, job
    return result


# The HTTP calls a date's extract made: in a window, the dates of an updated-since entity share
# one fetch (pipeline/extraction/shared_fetch.py), made by the oldest date's extract.
CALLS = ("requests", "retries")


def _rows(path, table: str) -> list[tuple]:
    """Every row of the table, without the columns that name the run that wrote it (or, in
    ops.extract_log, count its HTTP calls)."""
    with duckdb.connect(str(path), read_only=True) as con:
        schema, name = table.split(".")
        columns = [
            f'"{column}"'
            for (column,) in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, name],
            ).fetchall()
            if column.lstrip("_") != "run_id"
            and (table != "ops.extract_log" or column not in CALLS)
        ]
        return con.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL").fetchall()


def _home(tmp_path, monkeypatch, name: str):
    home = tmp_path / name
    home.mkdir()
    monkeypatch.setenv("BACKBONE_HOME", str(home))
    return home / "warehouse.duckdb"


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("BACKBONE_BUSINESSES", "cafe,boutique")
    monkeypatch.setenv("BACKBONE_NOW", "2026-11-20T12:00:00Z")
    monkeypatch.delenv("BACKBONE_SOURCE", raising=False)
    monkeypatch.delenv("BACKBONE_REFERENCE_DIR", raising=False)


def test_one_run_over_the_window_writes_what_one_run_per_date_writes(env, tmp_path, monkeypatch):
    with dg.DagsterInstance.ephemeral() as instance:
        per_date = _home(tmp_path, monkeypatch, "per-date")
        runs = [_execute("extract_job", instance, partition_key=day) for day in DAYS]
        _execute("models_job", instance)
        runs += [_execute("journal_job", instance, partition_key=day) for day in DAYS]
        assert len({r.run_id for r in runs}) == 2 * len(DAYS)

        window = _home(tmp_path, monkeypatch, "window")
        tags = {RANGE_START_TAG: DAYS[0], RANGE_END_TAG: DAYS[-1]}
        extract = _execute("extract_job", instance, tags=tags)
        _execute("models_job", instance)
        journal = _execute("journal_job", instance, tags=tags)

    for table in TABLES:
        assert _rows(window, table) == _rows(per_date, table), table
    with duckdb.connect(str(window), read_only=True) as con:
        # Each date was landed and logged on its own, by the one run.
        logged = con.execute(
            "SELECT partition_key, count(DISTINCT run_id) FROM ops.extract_log "
            "WHERE entity = 'orders' GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        assert logged == [(day, 1) for day in DAYS]
        assert con.execute("SELECT count(*) FROM marts.journal_entries").fetchone()[0] > 0

    # The same rows from fewer calls: the window's dates fetched the orders, payments and
    # refunds updated since the first date once, where each date fetched them again alone.
    def calls(path) -> dict[str, int]:
        with duckdb.connect(str(path), read_only=True) as con:
            return dict(
                con.execute(
                    "SELECT entity, sum(requests) FROM ops.extract_log GROUP BY ALL"
                ).fetchall()
            )

    alone, shared = calls(per_date), calls(window)
    for entity in ("orders", "payments", "refunds", "bank_transactions"):
        assert shared[entity] < alone[entity], (entity, shared[entity], alone[entity])
    assert shared["payouts"] == alone["payouts"]  # created on the date: nothing to share

    # Each date's materialization carries that date's own counts, as a per-date run's did.
    def per_partition(result, key: list[str], field: str) -> dict[str, int]:
        return {
            m.partition: m.metadata[field].value
            for m in (e.materialization for e in result.get_asset_materialization_events())
            if m.asset_key == dg.AssetKey(key)
        }

    orders = per_partition(extract, ["raw", "square_orders"], "records")
    assert sorted(orders) == DAYS and len(set(orders.values())) > 1
    with duckdb.connect(str(window), read_only=True) as con:
        landed = dict(
            con.execute(
                "SELECT partition_key, count(*) FROM raw.square_orders GROUP BY ALL"
            ).fetchall()
        )
    assert orders == landed
    entries = per_partition(journal, ["marts", "journal_entries"], "entries")
    assert sorted(entries) == DAYS and sum(entries.values()) == len(
        _rows(window, "marts.journal_entries")
    )
