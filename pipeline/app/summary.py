"""What a run did for the CRM half, printed after `backbone run` / `backbone demo`: segment
members per business, and every write this run made to HubSpot and Xero (ops.sync_log rows of
the run's Dagster runs: a re-run that finds nothing new shows 0)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table


def _has(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
            "AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def print_crm_summary(console: Console, warehouse: Path, run_ids: list[str]) -> None:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        segments = []
        if _has(con, "marts", "segment_memberships"):
            segments = con.execute(
                "SELECT business_id, segment, channel, count(*) FROM marts.segment_memberships "
                "GROUP BY ALL ORDER BY ALL"
            ).fetchall()
        drafts = []
        if _has(con, "marts", "invoice_drafts"):
            drafts = con.execute(
                """
                WITH current AS (
                    SELECT * FROM marts.invoice_drafts
                    QUALIFY version = max(version) OVER (PARTITION BY deal_id)
                )
                SELECT business_id, origin, count(*) AS deals,
                       count(*) FILTER (WHERE delivery_status = 'paused') AS paused
                FROM current GROUP BY ALL ORDER BY ALL
                """
            ).fetchall()
        writes = con.execute(
            """
            SELECT CASE WHEN target LIKE 'hubspot%' THEN 'HubSpot' ELSE 'Xero' END AS vendor,
                   count(*) AS calls,
                   count(*) FILTER (WHERE status NOT IN ('posted', 'sent', 'reconciled'))
            FROM ops.sync_log WHERE list_contains(?, run_id)
            GROUP BY ALL
            """,
            [run_ids],
        ).fetchall()
    table = Table(title="Segment members (marts.segment_memberships)")
    for column in ("business", "segment", "channel", "members"):
        table.add_column(column, justify="right" if column == "members" else "left")
    for business, segment, channel, members in segments:
        table.add_row(business, segment, channel, f"{members:,}")
    console.print(table)
    for business, origin, deals, paused in drafts:
        what = "drafted in Xero (invoice + deposit)" if origin == "backbone" else "adopted"
        console.print(
            f"{business}: {deals} won deal(s) {what}, delivery paused for {paused}",
            highlight=False,
        )
    counted = {vendor: (calls, bad) for vendor, calls, bad in writes}
    shown = []
    for vendor in ("HubSpot", "Xero"):
        calls, bad = counted.get(vendor, (0, 0))
        shown.append(f"{vendor} {calls}" + (f" ({bad} not confirmed)" if bad else ""))
    console.print(f"Writes this run (ops.sync_log): {', '.join(shown)}")
