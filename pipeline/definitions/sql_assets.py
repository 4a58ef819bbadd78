"""The SQL asset factory: each `dbt-free-sql/<layer>/<name>.sql` becomes asset `<layer>/<name>`.

Its dependencies are the tables the SELECT reads (parsed by sqlglot, pipeline/store/sql_models.py)
and, for an ops log it reads, the assets that write that log (`log_writers`). Its description
is the file's leading comment. Building one replaces the table and its dead letters in one
transaction, after its Pandera contract passes.
"""

from __future__ import annotations

import dagster as dg

from assets import raw
from assets.partitions import WAREHOUSE_POOL
from pipeline.definitions.jobs import CRM_ASSETS, LEDGER_ASSETS
from pipeline.store.sql_models import LAYERS, SqlModel, build, discover
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now


def _keys(*assets: dg.AssetsDefinition) -> list[dg.AssetKey]:
    return [key for asset in assets for key in asset.keys]


# The ops logs are appended to by steps, not built by a model, so reading one gives no lineage:
# a model that reads one comes after the assets that write it. In daily_job (the schedule's one
# run over everything) the sync error rate would otherwise be measured before the write-back,
# and freshness before the extract.
_EXTRACTS = _keys(*raw.SNAPSHOTS, *raw.PARTITIONED)
LOG_WRITERS: dict[str, list[dg.AssetKey]] = {
    "extract_log": _EXTRACTS,
    "sync_log": _keys(*LEDGER_ASSETS, *CRM_ASSETS),
}


def log_writers(model: SqlModel, models: list[SqlModel]) -> list[dg.AssetKey]:
    """The assets that write the ops logs `model` reads. ops.dead_letter is written by the
    extracts and by the models that route rows to it, of the layers before the reader's."""
    keys: list[dg.AssetKey] = []
    earlier = LAYERS[: LAYERS.index(model.layer)]
    for log in model.logs_read:
        if log == "dead_letter":
            keys += _EXTRACTS + [
                dg.AssetKey([m.layer, m.name])
                for m in models
                if m.layer in earlier and m.routes_dead_letters
            ]
        else:
            keys += LOG_WRITERS.get(log, [])
    return sorted(set(keys), key=lambda key: key.path)


def sql_asset(model: SqlModel, models: list[SqlModel]) -> dg.AssetsDefinition:
    @dg.asset(
        key=[model.layer, model.name],
        deps=[dg.AssetKey([layer, name]) for layer, name in model.deps]
        + log_writers(model, models),
        group_name=model.layer,
        description=f"{model.description}\n\nSQL: dbt-free-sql/{model.layer}/{model.path.name}",
        kinds={"duckdb", "sql"},
        pool=WAREHOUSE_POOL,
    )
    def _model(context, warehouse: WarehouseResource) -> dg.MaterializeResult:
        from pipeline.store.contracts import validate_table

        with warehouse.connect() as con:
            stats = build(
                con, model, run_id=context.run_id, validate=validate_table, at=pipeline_now()
            )
        if stats["dead_letters"]:
            context.log.warning(f"{model.table}: {stats['dead_letters']} records dead-lettered")
        return dg.MaterializeResult(metadata=stats)

    return _model


_MODELS = discover()
SQL_ASSETS = [sql_asset(model, _MODELS) for model in _MODELS]
