"""Daily journal per location: the asset that posts each business day (store/journal_posting)."""

from __future__ import annotations

from datetime import date

import dagster as dg

from assets.journal_shared import ENTRIES, LINES, journal_metadata, post_day_or_fail
from assets.partitions import DAILY, SINGLE_RUN, WAREHOUSE_POOL
from resources.warehouse import WarehouseResource

UPSTREAM = [
    dg.AssetKey(["core", "sales_lines"]),
    dg.AssetKey(["core", "sales_line_parts"]),
    dg.AssetKey(["core", "unmapped_items"]),
    dg.AssetKey(["ref", "lifecycle_states"]),
    dg.AssetKey(["core", "tender_facts"]),
    dg.AssetKey(["staging", "stg_square__payouts"]),
    dg.AssetKey(["staging", "stg_square__payout_entries"]),
    dg.AssetKey(["staging", "stg_square__disputes"]),
    dg.AssetKey(["ref", "tenders"]),
    dg.AssetKey(["ref", "refund_reasons"]),
    dg.AssetKey(["staging", "stg_square__orders"]),
    dg.AssetKey(["ref", "posting_accounts"]),
    dg.AssetKey(["ref", "posting_limits"]),
    dg.AssetKey(["ref", "businesses"]),
    dg.AssetKey(["ref", "accounts"]),
    dg.AssetKey(["ref", "locations"]),
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ENTRIES,
            deps=UPSTREAM,
            kinds={"duckdb", "python"},
            description="One balanced entry per location, business date and kind.",
        ),
        dg.AssetSpec(
            LINES,
            deps=UPSTREAM,
            kinds={"duckdb", "python"},
            description="Debit and credit lines of the journal entries.",
        ),
    ],
    partitions_def=DAILY,
    backfill_policy=SINGLE_RUN,
    group_name="marts",
    pool=WAREHOUSE_POOL,
)
def daily_journal(context, warehouse: WarehouseResource):
    """Sales, returns, fees, payouts and chargebacks of each location's business day, to the cent.

    Append-only: a day is posted once; a re-run with changed facts appends an adjusting entry
    on the posting date (pipeline/accounting/adjustments.py), a re-run with unchanged facts
    writes nothing. A run over a window posts its dates oldest first, each date on its own
    (its own transaction, its own materialization metadata), as one run per date did.
    """
    with warehouse.connect() as con:
        for partition_key in context.partition_keys:
            day = date.fromisoformat(partition_key)
            entries, held = post_day_or_fail(con, day, context.run_id)
            _warn_held(context, day, held)
            for key, metadata in journal_metadata(entries, held).items():
                context.add_asset_metadata(metadata, asset_key=key, partition_key=partition_key)
    for key in (ENTRIES, LINES):
        yield dg.MaterializeResult(asset_key=key)


def _warn_held(context, day: date, held) -> None:
    days = sorted({location for location, h in held if h.whole_day})
    if days:
        context.log.warning(
            f"{day} held whole at {', '.join(days)} (unmapped items); the other locations "
            "posted. See marts.posting_exceptions and the reference_covers_data check"
        )
    if held:
        context.log.warning(
            f"{day}: {len(held)} orders or items held out of the journal; see "
            "marts.posting_exceptions"
        )
