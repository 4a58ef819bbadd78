"""Exports swapped in atomically: the analysts' PII-free scorecard.duckdb, the Beancount
ledger, and the audit log as Parquet per day."""

from __future__ import annotations

import dagster as dg

from assets.journal_shared import ENTRIES, LINES
from assets.ledger_sync import LEDGER_SYNC, PAYOUT_SYNC
from assets.partitions import WAREHOUSE_POOL
from assets.studio_loop import DEAL_STATUS, INVOICE_DRAFTS
from pipeline.settings import audit_export_dir, ledger_export_path, scorecard_path
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now

# Tables copied as they are, with no customer ids, emails, phones or names: metrics and their
# catalog, the journal's entries, campaign response (counts and days per segment).
# pipeline/store/analyst_file.py adds the chart of accounts, the journal lines with account
# names, the pseudonymous customer tables and the README table.
SCORECARD_TABLES = [
    "marts.scorecard_daily",
    "marts.scorecard_weekly",
    "ref.metrics",
    "marts.journal_entries",
    "marts.campaign_response",
]


@dg.asset(
    key=["exports", "scorecard_duckdb"],
    deps=[
        dg.AssetKey(["marts", "scorecard_daily"]),
        dg.AssetKey(["marts", "scorecard_weekly"]),
        dg.AssetKey(["ref", "metrics"]),
        dg.AssetKey(["ref", "accounts"]),
        ENTRIES,
        LINES,
        dg.AssetKey(["marts", "campaign_response"]),
        dg.AssetKey(["marts", "customer_facts"]),
        dg.AssetKey(["marts", "customer_visits"]),
    ],
    group_name="exports",
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
)
def scorecard_duckdb(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """$BACKBONE_HOME/scorecard.duckdb, safe to query while the pipeline runs: the scorecards,
    the journal with account names, pseudonymous customer facts and a README table."""
    from pipeline.store.analyst_file import export_analyst_file

    target = scorecard_path()
    with warehouse.connect() as con:
        written = export_analyst_file(con, target, SCORECARD_TABLES, at=pipeline_now())
    return dg.MaterializeResult(metadata={"path": str(target), "tables": len(written) + 1})


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


@dg.asset(
    key=["exports", "audit_parquet"],
    # Last in a run, so the day's files hold what the write-back and the other exports logged.
    deps=[
        LEDGER_SYNC,
        PAYOUT_SYNC,
        INVOICE_DRAFTS,
        DEAL_STATUS,
        scorecard_duckdb,
        ledger_beancount,
    ],
    group_name="exports",
    kinds={"parquet"},
    pool=WAREHOUSE_POOL,
)
def audit_parquet(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """$BACKBONE_HOME/exports/audit/audit-YYYY-MM-DD.parquet: the hash-chained ops.audit_log,
    one file per UTC day, each replaced atomically when its day gained rows; no customer data.
    `backbone audit verify` checks the warehouse still holds every exported row."""
    from pipeline.store.audit_export import export_days

    target = audit_export_dir()
    with warehouse.connect() as con:
        written = export_days(con, target)
        rows = con.execute("SELECT count(*) FROM ops.audit_log").fetchone()[0]
    return dg.MaterializeResult(
        metadata={"path": str(target), "days_written": ", ".join(written) or "none", "rows": rows}
    )
