"""Asset checks: the GX suite on the journal and reference coverage (blocking); posting
exceptions, POS barcodes and unreconciled payouts (warnings). Each names what to look at."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from assets.journal_shared import ENTRIES, LINES
from pipeline.settings import backbone_home
from pipeline.store import check_findings
from resources.warehouse import WarehouseResource
from resources.world import pipeline_now

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def run_dates(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """The business dates a run materializes, first and last, from its tags: one partition,
    a partition range (one run over a window), or None for a run of no partition."""
    if RANGE_START in tags and RANGE_END in tags:
        return tags[RANGE_START], tags[RANGE_END]
    if "dagster/partition" in tags:
        return tags["dagster/partition"], tags["dagster/partition"]
    return None


def validation_name(dates: tuple[str, str] | None) -> str:
    """How Data Docs list the validation: by the business dates it covered."""
    if dates is None:
        return "journal all dates"
    first, last = dates
    return f"journal {first}" if first == last else f"journal {first}..{last}"


@dg.asset_check(
    asset=LINES, blocking=True, description="GX Core suite: lines sane, entries balance"
)
def journal_lines_gx(context, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Validates the lines of the run's business dates only (their entries and the adjusting
    entries for them), so a day's check costs a day, not the whole journal; each date is its own
    validation in Data Docs ("journal 2026-11-18"), built once for the run."""
    from pipeline.store.quality import journal_lines_by_date, journal_lines_for, run_journal_suites

    try:
        dates = run_dates(context.run.tags)
    except dg.DagsterError:  # invoked directly (tests): no run, so every date
        dates = None
    with warehouse.connect(read_only=False) as con:
        if dates is None:
            batches = {validation_name(None): journal_lines_for(con, None)}
        else:
            batches = {
                validation_name((d, d)): frame
                for d, frame in journal_lines_by_date(con, dates).items()
            }
    result = run_journal_suites(batches, project_root=backbone_home(), run_time=pipeline_now())
    if result.remote:
        context.log.warning("Data Docs still load from the network: " + "; ".join(result.remote))
    return dg.AssetCheckResult(
        passed=result.success,
        metadata={
            "expectations": result.evaluated,
            "failed": ", ".join(result.failed) or "none",
            "failed validations": ", ".join(result.failed_runs) or "none",
            "validations": len(batches),
            "lines": sum(len(frame) for frame in batches.values()),
            "business dates": "..".join(dict.fromkeys(dates)) if dates else "all",
        },
    )


@dg.asset_check(
    asset=ENTRIES, description="Orders and location-days held out of the journal, with reasons"
)
def no_held_out_orders(context, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        held = check_findings.held_out_orders(con)
    return dg.AssetCheckResult(
        passed=held.total == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"held_out": held.total, "first": "\n".join(held.shown)},
    )


@dg.asset_check(
    asset=dg.AssetKey(["core", "unmapped_items"]),
    blocking=True,
    description="Every SKU, modifier, tax, tender and lifecycle state seen in the data is mapped",
)
def reference_covers_data(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        unmapped = check_findings.unmapped_items(con)
    return dg.AssetCheckResult(
        passed=not unmapped.shown,
        metadata={
            "unmapped": "\n".join(unmapped.shown) or "none",
            **{f"kind:{kind}": int(n) for kind, n in unmapped.counts.items()},
        },
        description="; ".join(unmapped.shown[:10]) or None,
    )


@dg.asset_check(
    asset=dg.AssetKey(["core", "products"]),
    description="POS barcodes are valid GTINs and agree with products.csv (flagged, never used)",
)
def pos_barcodes_agree(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        flagged = check_findings.flagged_pos_barcodes(con)
    return dg.AssetCheckResult(
        passed=not flagged.shown,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"flagged": "\n".join(flagged.shown) or "none"},
    )


@dg.asset_check(
    asset=dg.AssetKey(["marts", "reconciliation"]),
    description="Every payout matched to a bank deposit; open items listed by aging bucket",
)
def payouts_reconciled(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        open_items = check_findings.open_payouts(con)
        payouts = check_findings.reconciled_payout_count(con)
    return dg.AssetCheckResult(
        passed=not open_items.shown,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "payouts": payouts,
            "open_items": open_items.total,
            **{f"aged {bucket} days": n for bucket, n in sorted(open_items.counts.items())},
            "oldest": "\n".join(open_items.shown[:20]) or "none",
        },
    )


ALL_CHECKS = [
    journal_lines_gx,
    no_held_out_orders,
    reference_covers_data,
    pos_barcodes_agree,
    payouts_reconciled,
]
