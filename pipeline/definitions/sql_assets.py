"""The SQL asset factory: each `dbt-free-sql/<layer>/<name>.sql` becomes asset `<layer>/<name>`.

Its dependencies are the tables the SELECT reads (parsed by sqlglot, pipeline/store/sql_models.py);
its description is the file's leading comment. Building one replaces the table and its dead
letters in one transaction, after its Pandera contract passes.
"""

from __future__ import annotations

import dagster as dg

from assets.partitions import WAREHOUSE_POOL
from pipeline.store.sql_models import SqlModel, build, discover
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now


def sql_asset(model: SqlModel) -> dg.AssetsDefinition:
    @dg.asset(
        key=[model.layer, model.name],
        deps=[dg.AssetKey([layer, name]) for layer, name in model.deps],
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


SQL_ASSETS = [sql_asset(model) for model in discover()]
