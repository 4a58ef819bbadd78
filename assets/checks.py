"""Asset checks: the GX suite on the journal (blocking) and posting exceptions (warning)."""

from __future__ import annotations

import dagster as dg

from assets.journal import ENTRIES, LINES
from pipeline.settings import backbone_home
from resources.warehouse import WarehouseResource


@dg.asset_check(
    asset=LINES, blocking=True, description="GX Core suite: lines sane, entries balance"
)
def journal_lines_gx(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from pipeline.contracts import frame
    from pipeline.quality import run_journal_suite

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
