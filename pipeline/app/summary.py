"""What a run did for the CRM half, printed after `backbone run` / `backbone demo`: segment
members per business, and every write this run made to HubSpot and Xero (ops.sync_log rows of
the run's Dagster runs: a re-run that finds nothing new shows 0)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.store.connection import has_table


def print_crm_summary(
    console: Console, warehouse: Path, run_ids: list[str], businesses: list[str] | None
) -> None:
    """`businesses`: the run's scope (None: all of them)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        segments = []
        if has_table(con, "marts", "segment_memberships"):
            # Every segment of every business, the empty ones too: a 0 is an answer.
            segments = con.execute(
                """
                WITH held AS (
                    SELECT business_id, segment,
                           string_agg(reason || ' ' || n, ', ' ORDER BY reason) AS held_back
                    FROM (
                        SELECT business_id, segment, reason, count(*) AS n
                        FROM marts.segment_suppressions GROUP BY ALL
                    )
                    GROUP BY ALL
                )
                SELECT b.business_id, s.segment, s.channel, count(m.member_key),
                       any_value(h.held_back)
                FROM ref.businesses AS b
                CROSS JOIN ref.segments AS s
                LEFT JOIN marts.segment_memberships AS m
                    ON m.business_id = b.business_id AND m.segment = s.segment
                LEFT JOIN held AS h ON h.business_id = b.business_id AND h.segment = s.segment
                WHERE $all OR list_contains($chosen, b.business_id)
                GROUP BY ALL ORDER BY ALL
                """,
                {"all": not businesses, "chosen": businesses or []},
            ).fetchall()
        drafts = []
        if has_table(con, "marts", "invoice_drafts"):
            drafts = con.execute(
                """
                WITH current AS (
                    SELECT * FROM marts.invoice_drafts
                    QUALIFY version = max(version) OVER (PARTITION BY deal_id)
                )
                SELECT business_id, origin, count(*) AS deals,
                       count(*) FILTER (WHERE delivery_status = 'paused') AS paused
                FROM current WHERE $all OR list_contains($chosen, business_id)
                GROUP BY ALL ORDER BY ALL
                """,
                {"all": not businesses, "chosen": businesses or []},
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
    for column in ("business", "segment", "channel", "members", "held back (why)"):
        table.add_column(column, justify="right" if column == "members" else "left")
    for business, segment, channel, members, held in segments:
        table.add_row(business, segment, channel, f"{members:,}", held or "")
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
