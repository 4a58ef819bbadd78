"""Exports swapped in atomically: the analysts' PII-free scorecard.duckdb and the Beancount
ledger."""

from __future__ import annotations

import dagster as dg

from assets.journal_shared import ENTRIES, LINES
from assets.partitions import WAREHOUSE_POOL
from pipeline.settings import ledger_export_path, scorecard_path
from pipeline.store.connection import export_tables
from resources.warehouse import WarehouseResource

# Tables with no customer ids, emails, phones or names: metrics, the journal, and campaign
# response (counts and days per segment).
SCORECARD_TABLES = [
    "marts.scorecard_daily",
    "marts.journal_entries",
    "marts.journal_lines",
    "marts.campaign_response",
]


@dg.asset(
    key=["exports", "scorecard_duckdb"],
    deps=[
        dg.AssetKey(["marts", "scorecard_daily"]),
        ENTRIES,
        LINES,
        dg.AssetKey(["marts", "campaign_response"]),
    ],
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


LEDGER_DEPS = [
    ENTRIES,
    LINES,
    dg.AssetKey(["staging", "stg_square__payouts"]),
    dg.AssetKey(["ref", "businesses"]),
    dg.AssetKey(["ref", "accounts"]),
    dg.AssetKey(["ref", "tenders"]),
]


@dg.asset(
    key=["exports", "ledger_beancount"],
    deps=LEDGER_DEPS,
    group_name="exports",
    kinds={"python"},
    pool=WAREHOUSE_POOL,
)
def ledger_beancount(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """$BACKBONE_HOME/exports/ledger.beancount: every journal, with balance assertions on the
    payout clearing accounts; replaced only by a file Beancount accepts (docs/ledger-export.md)."""
    from pipeline.accounting.beancount import LedgerExportError, render, summary
    from pipeline.store.ledger_export import read_ledger, write_checked

    target = ledger_export_path()
    try:
        with warehouse.connect() as con:
            ledger = read_ledger(con)
        write_checked(render(ledger), target)
    except LedgerExportError as exc:
        raise dg.Failure(description=str(exc)) from exc
    return dg.MaterializeResult(metadata={"path": str(target), **summary(ledger)})
