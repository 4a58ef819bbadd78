"""Ledger write-back to Xero, each write at most once: journal entries as manual journals
(payload in pipeline/accounting/xero_journal.py, protocol in pipeline/store/sync_log.py), and
arrived payouts as bank transactions or transfers per business `payout_deposits`
(pipeline/accounting/xero_bank.py, pipeline/store/payout_sync.py), and under square_balance each
entry's Square Balance lines as a bank transaction. No manual journal ever touches a bank
account (docs/reconciliation.md)."""

from __future__ import annotations

import dagster as dg

from assets.journal_shared import ENTRIES, LINES
from assets.partitions import WAREHOUSE_POOL
from assets.scope import clients_for, in_scope
from pipeline.accounting.xero_bank import ENTRY_BANK_SUFFIX
from pipeline.accounting.xero_journal import FAILED, POSTED
from pipeline.store.payout_sync import TARGET_PREFIXES, sync_payout_deposits
from pipeline.store.sync_log import BANK_TXN_PREFIX, SyncResult, sync_ledger, synced_counts
from resources.http import ApiError
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now
from resources.xero import XeroResource

LEDGER_SYNC = dg.AssetKey(["ops", "xero_manual_journals"])
PAYOUT_SYNC = dg.AssetKey(["ops", "xero_payout_deposits"])


def _is_permanent(exc: BaseException) -> bool:
    # A refusal (4xx) is about that write; an outage that outlived the retries is not.
    # A refused token (401/403) is everyone's: stop instead of spending one request per write.
    return isinstance(exc, ApiError) and exc.status_code not in (401, 403)


def _fail_if_refused(result: SyncResult, what: str, metadata: dict) -> None:
    if result.failed:
        shown = "; ".join(f"{key}: {error}" for key, error in result.failed[:5])
        raise dg.Failure(
            description=f"{len(result.failed)} {what} not posted to Xero "
            f"(retried next run; ops.sync_log has each error): {shown}",
            metadata=metadata,
        )


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
    """Every journal entry not yet posted, as one Xero manual journal each (ops.sync_log);
    payout entries excluded, and an entry with a line on a bank account refused and logged.
    Under payout_deposits square_balance an entry's Square Balance lines go as a bank
    transaction instead, its journal carrying the suspense account (docs/reconciliation.md)."""
    with warehouse.connect() as con, clients_for(xero) as clients:
        result = sync_ledger(
            con,
            in_scope(),
            lambda business, key, body: xero.put_manual_journal(clients(business), key, body),
            post_bank_transaction=lambda business, key, body: xero.put_bank_transaction(
                clients(business), key, body
            ),
            run_id=context.run_id,
            is_permanent=_is_permanent,
            log=context.log.warning,
            at=pipeline_now(),
        )
        totals = synced_counts(con)
        legs = synced_counts(con, BANK_TXN_PREFIX, entry_legs=True)
        requests, retries = clients.stats()
    # Keys of square_balance bank transactions carry ENTRY_BANK_SUFFIX; the rest are journals.
    legs_posted = sum(ENTRY_BANK_SUFFIX in key for key in result.posted)
    legs_failed = sum(ENTRY_BANK_SUFFIX in key for key, _ in result.failed)
    metadata = {
        "posted_this_run": len(result.posted) - legs_posted,
        "failed_this_run": len(result.failed) - legs_failed,
        "bank_transactions_posted_this_run": legs_posted,
        "bank_transactions_failed_this_run": legs_failed,
        "requests": requests,
        "retries": retries,
        "posted_total": totals.get(POSTED, 0),
        "failed_total": totals.get(FAILED, 0),
        # square_balance: entries' Square Balance lines as bank transactions.
        "bank_transactions_posted_total": legs.get(POSTED, 0),
        "bank_transactions_failed_total": legs.get(FAILED, 0),
    }
    _fail_if_refused(result, "journal(s)", metadata)
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=PAYOUT_SYNC,
    deps=[dg.AssetKey(["staging", "stg_square__payouts"]), dg.AssetKey(["ref", "businesses"])],
    group_name="ledger",
    kinds={"xero", "duckdb"},
    pool=WAREHOUSE_POOL,
)
def xero_payout_deposits(
    context, xero: XeroResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Each arrived Square payout of a business whose payout_deposits is bank_transaction (a
    Xero bank transaction) or square_balance (a bank transfer), once each (ops.sync_log).
    Businesses on bank_feed send nothing: the bank feed books their payouts."""
    with warehouse.connect() as con, clients_for(xero) as clients:
        result = sync_payout_deposits(
            con,
            in_scope(),
            {
                "BankTransactions": lambda business, key, body: xero.put_bank_transaction(
                    clients(business), key, body
                ),
                "BankTransfers": lambda business, key, body: xero.put_bank_transfer(
                    clients(business), key, body
                ),
            },
            run_id=context.run_id,
            is_permanent=_is_permanent,
            log=context.log.warning,
            at=pipeline_now(),
        )
        totals: dict[str, int] = {}
        for prefix in TARGET_PREFIXES:
            for status, count in synced_counts(con, prefix, entry_legs=False).items():
                totals[status] = totals.get(status, 0) + count
        requests, retries = clients.stats()
    metadata = {
        "deposits_posted_this_run": len(result.posted),
        "deposits_failed_this_run": len(result.failed),
        "requests": requests,
        "retries": retries,
        "deposits_posted_total": totals.get(POSTED, 0),
        "deposits_failed_total": totals.get(FAILED, 0),
    }
    _fail_if_refused(result, "payout deposit(s)", metadata)
    return dg.MaterializeResult(metadata=metadata)
