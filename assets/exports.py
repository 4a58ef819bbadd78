"""The analysts' copy: scorecard.duckdb without PII, swapped in atomically."""

from __future__ import annotations

import dagster as dg

from assets.journal import ENTRIES, LINES
from pipeline.partitions import WAREHOUSE_POOL
from pipeline.settings import scorecard_path
from resources.warehouse import WarehouseResource, export_tables

# Tables with no customer ids, emails, phones or names: metrics and the journal only.
SCORECARD_TABLES = ["marts.scorecard_daily", "marts.journal_entries", "marts.journal_lines"]


@dg.asset(
    key=["exports", "scorecard_duckdb"],
    deps=[dg.AssetKey(["marts", "scorecard_daily"]), ENTRIES, LINES],
    group_name="exports",
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
)
def scorecard_duckdb(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """$BACKBONE_HOME/scorecard.duckdb, safe to query while the pipeline runs."""
    target = scorecard_path()
    with warehouse.connect() as con:
        export_tables(con, target, SCORECARD_TABLES)
    return dg.MaterializeResult(metadata={"path": str(target), "tables": len(SCORECARD_TABLES)})
