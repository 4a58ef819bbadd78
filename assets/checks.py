"""Asset checks: the GX suite on the journal and reference coverage (blocking); posting
exceptions and POS barcodes (warnings)."""

from __future__ import annotations

import dagster as dg

from assets.journal_shared import ENTRIES, LINES
from pipeline.settings import backbone_home
from resources.warehouse import WarehouseResource


@dg.asset_check(
    asset=LINES, blocking=True, description="GX Core suite: lines sane, entries balance"
)
def journal_lines_gx(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from pipeline.store.contracts import frame
    from pipeline.store.quality import run_journal_suite

    with warehouse.connect(read_only=False) as con:
        lines = frame(con, "marts.journal_lines")
    result = run_journal_suite(lines, project_root=backbone_home())
    return dg.AssetCheckResult(
        passed=result.success,
        metadata={
            "expectations": result.evaluated,
            "failed": ", ".join(result.failed) or "none",
            "lines": len(lines),
        },
    )


@dg.asset_check(asset=ENTRIES, description="Orders held out of the journal, with reasons")
def no_held_out_orders(context, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        rows = con.execute(
            "SELECT business_date, location_id, object_id, reason FROM marts.posting_exceptions "
            "ORDER BY ALL LIMIT 20"
        ).fetchall()
        total = con.execute("SELECT count(*) FROM marts.posting_exceptions").fetchone()[0]
    return dg.AssetCheckResult(
        passed=total == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "held_out": total,
            "first": "\n".join(f"{d} {loc} {oid}: {why}" for d, loc, oid, why in rows),
        },
    )


@dg.asset_check(
    asset=dg.AssetKey(["core", "unmapped_items"]),
    blocking=True,
    description="Every SKU, modifier, tax, tender and lifecycle state seen in the data is mapped",
)
def reference_covers_data(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        rows = con.execute(
            "SELECT message FROM core.unmapped_items ORDER BY kind, business_id, item, "
            "business_date NULLS FIRST LIMIT 50"
        ).fetchall()
        kinds = dict(
            con.execute(
                "SELECT kind, count(DISTINCT item) FROM core.unmapped_items GROUP BY ALL"
            ).fetchall()
        )
    return dg.AssetCheckResult(
        passed=not rows,
        metadata={
            "unmapped": "\n".join(message for (message,) in rows) or "none",
            **{f"kind:{kind}": int(n) for kind, n in kinds.items()},
        },
        description="; ".join(message for (message,) in rows[:10]) or None,
    )


@dg.asset_check(
    asset=dg.AssetKey(["core", "products"]),
    description="POS barcodes are valid GTINs and agree with products.csv (flagged, never used)",
)
def pos_barcodes_agree(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        rows = con.execute(
            "SELECT business_id || ':' || sku || ' ' || pos_barcode || ': ' || pos_barcode_issue "
            "FROM core.products WHERE pos_barcode_issue IS NOT NULL ORDER BY ALL"
        ).fetchall()
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"flagged": "\n".join(r for (r,) in rows) or "none"},
    )


@dg.asset_check(
    asset=dg.AssetKey(["marts", "reconciliation"]),
    description="Every payout matched to a bank deposit; open items listed by aging bucket",
)
def payouts_reconciled(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        rows = con.execute(
            "SELECT aging_bucket, business_id || ' ' || payout_id || ' ' || status || ' ' || "
            "coalesce(CAST(difference AS VARCHAR), 'no deposit') "
            "FROM marts.reconciliation WHERE status <> 'matched' ORDER BY age_days DESC, 2"
        ).fetchall()
        payouts = con.execute(
            "SELECT count(DISTINCT payout_id) FROM marts.reconciliation"
        ).fetchone()[0]
    buckets: dict[str, int] = {}
    for bucket, _ in rows:
        buckets[bucket] = buckets.get(bucket, 0) + 1
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "payouts": int(payouts),
            "open_items": len(rows),
            **{f"aged {bucket} days": n for bucket, n in sorted(buckets.items())},
            "oldest": "\n".join(text for _, text in rows[:20]) or "none",
        },
    )


ALL_CHECKS = [
    journal_lines_gx,
    no_held_out_orders,
    reference_covers_data,
    pos_barcodes_agree,
    payouts_reconciled,
]
