"""Ledger write-back: post the journal to Xero ManualJournals, each entry at most once
(payload in pipeline/accounting/xero_journal.py, protocol in pipeline/store/sync_log.py)."""

from __future__ import annotations

import dagster as dg

from assets.journal_shared import ENTRIES, LINES
from assets.partitions import WAREHOUSE_POOL
from assets.scope import clients_for, in_scope
from pipeline.accounting.xero_journal import FAILED, POSTED
from pipeline.store.sync_log import sync_ledger, synced_counts
from resources.http import ApiError
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now
from resources.xero import XeroResource

LEDGER_SYNC = dg.AssetKey(["ops", "xero_manual_journals"])


@dg.asset(
    key=LEDGER_SYNC,
    deps=[ENTRIES, LINES],
    group_name="ledger",
    kinds={"xero", "duckdb"},
    pool=WAREHOUSE_POOL,
)
def xero_manual_journals(
    context, xero: XeroResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Every journal entry not yet posted, as one Xero manual journal each (ops.sync_log)."""
    with warehouse.connect() as con, clients_for(xero) as clients:
        result = sync_ledger(
            con,
            in_scope(),
            lambda business, key, body: xero.put_manual_journal(clients(business), key, body),
            run_id=context.run_id,
            # A refusal (4xx) is about that entry; an outage that outlived the retries is not.
            # A refused entry is that entry's problem; a refused token (401/403) is everyone's:
            # stop instead of spending one request per pending entry.
            is_permanent=lambda exc: (
                isinstance(exc, ApiError) and exc.status_code not in (401, 403)
            ),
            log=context.log.warning,
            at=pipeline_now(),
        )
        totals = synced_counts(con)
        requests, retries = clients.stats()
    metadata = {
        "posted_this_run": len(result.posted),
        "failed_this_run": len(result.failed),
        "requests": requests,
        "retries": retries,
        "posted_total": totals.get(POSTED, 0),
        "failed_total": totals.get(FAILED, 0),
    }
    if result.failed:
        shown = "; ".join(f"{entry}: {error}" for entry, error in result.failed[:5])
        raise dg.Failure(
            description=f"{len(result.failed)} journal(s) not posted to Xero "
            f"(retried next run; ops.sync_log has each error): {shown}",
            metadata=metadata,
        )
    return dg.MaterializeResult(metadata=metadata)
