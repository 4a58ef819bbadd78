"""What the scorecard page reads from the warehouse, and the page written atomically.

marts.scorecard_weekly and ref.metrics are optional: a warehouse built before them still gets
a page (daily values, metrics labelled by name; pipeline/reporting/cards.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.store.connection import has_table
from pipeline.store.contracts import frame


@dataclass(frozen=True)
class ScorecardFrames:
    daily: pd.DataFrame
    weekly: pd.DataFrame | None
    catalog: pd.DataFrame | None
    businesses: pd.DataFrame
    locations: pd.DataFrame


def read_scorecard(
    con: duckdb.DuckDBPyConnection, businesses: list[str] | None = None
) -> ScorecardFrames:
    """The metrics of `businesses` (all when None), with names for businesses and locations."""
    where, params = "", []
    if businesses:
        where, params = "WHERE business_id IN (SELECT unnest(?))", [businesses]
    daily = frame(
        con,
        "(SELECT business_date, business_id, location_id, metric, value "
        "FROM marts.scorecard_daily)",
        where,
        params,
    )
    weekly = None
    if has_table(con, "marts", "scorecard_weekly"):
        weekly = frame(
            con,
            "(SELECT week_start, business_id, location_id, metric, value "
            "FROM marts.scorecard_weekly)",
            where,
            params,
        )
    catalog = None
    if has_table(con, "ref", "metrics"):
        # The catalog's own order is the order metrics are shown in.
        catalog = frame(con, "ref.metrics", "ORDER BY rowid")
    return ScorecardFrames(
        daily=daily,
        weekly=weekly,
        catalog=catalog,
        businesses=frame(con, "(SELECT business_id, name FROM ref.businesses)", where, params),
        locations=frame(con, "(SELECT location_id, name FROM ref.locations)"),
    )


def write_atomically(data: bytes, target: Path) -> None:
    """Write beside the target, then rename over it: a reader opens the old page or the new."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Exports run one at a time under the warehouse pool: any other temp file is a leftover
    # of a process killed before its rename.
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
