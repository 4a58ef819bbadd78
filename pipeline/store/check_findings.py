"""What the warehouse's asset checks report: the rows a person has to look at, not just a flag.

Each function reads one finding; assets/checks.py turns it into a Dagster check result.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

SHOWN_HELD_OUT = 20
SHOWN_UNMAPPED = 50


@dataclass(frozen=True)
class Finding:
    """`total` offending rows, the first of them described one per line."""

    total: int
    shown: list[str]
    counts: dict[str, int]


def held_out_orders(con: duckdb.DuckDBPyConnection) -> Finding:
    """Orders the journal held out (marts.posting_exceptions), with the reason each."""
    rows = con.execute(
        "SELECT business_date, location_id, object_id, reason FROM marts.posting_exceptions "
        f"ORDER BY ALL LIMIT {SHOWN_HELD_OUT}"
    ).fetchall()
    total = con.execute("SELECT count(*) FROM marts.posting_exceptions").fetchone()[0]
    return Finding(total, [f"{d} {loc} {oid}: {why}" for d, loc, oid, why in rows], {})


def unmapped_items(con: duckdb.DuckDBPyConnection) -> Finding:
    """What the data holds that reference/ does not map, per kind of item."""
    rows = con.execute(
        "SELECT message FROM core.unmapped_items ORDER BY kind, business_id, item, "
        f"business_date NULLS FIRST LIMIT {SHOWN_UNMAPPED}"
    ).fetchall()
    kinds = dict(
        con.execute(
            "SELECT kind, count(DISTINCT item) FROM core.unmapped_items GROUP BY ALL"
        ).fetchall()
    )
    return Finding(sum(kinds.values()), [message for (message,) in rows], kinds)


def flagged_pos_barcodes(con: duckdb.DuckDBPyConnection) -> Finding:
    """POS barcodes that are not valid GTINs or disagree with products.csv."""
    rows = con.execute(
        "SELECT business_id || ':' || sku || ' ' || pos_barcode || ': ' || pos_barcode_issue "
        "FROM core.products WHERE pos_barcode_issue IS NOT NULL ORDER BY ALL"
    ).fetchall()
    return Finding(len(rows), [r for (r,) in rows], {})


def open_payouts(con: duckdb.DuckDBPyConnection) -> Finding:
    """Payouts not matched to a bank deposit (in transit and failed ones are not open), or
    matched with an exception, oldest first, counted per aging bucket or exception."""
    rows = con.execute(
        "SELECT coalesce(aging_bucket, exception), business_id || ' ' || payout_id || ' ' || "
        "status || ' ' || coalesce(exception || ' ', '') || "
        "coalesce(CAST(difference AS VARCHAR), 'no deposit') "
        "FROM marts.reconciliation "
        "WHERE status IN ('unmatched', 'partial') OR exception IS NOT NULL "
        "ORDER BY age_days DESC NULLS LAST, 2"
    ).fetchall()
    buckets: dict[str, int] = {}
    for bucket, _ in rows:
        buckets[bucket] = buckets.get(bucket, 0) + 1
    return Finding(len(rows), [text for _, text in rows], buckets)


def reconciled_payout_count(con: duckdb.DuckDBPyConnection) -> int:
    return int(
        con.execute("SELECT count(DISTINCT payout_id) FROM marts.reconciliation").fetchone()[0]
    )
