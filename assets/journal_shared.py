"""Posting a business day from Dagster, shared by the journal asset and the refund-reason form:
the journal's asset keys, the store call with the run's scope and clock, and its metadata."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb

from assets.scope import in_scope
from pipeline.accounting.posting import Entry, HeldOut
from pipeline.kernel.money import to_decimal
from pipeline.store.journal_posting import post_business_day
from resources.world import pipeline_now

ENTRIES = dg.AssetKey(["marts", "journal_entries"])
LINES = dg.AssetKey(["marts", "journal_lines"])


def post_day_or_fail(
    con: duckdb.DuckDBPyConnection, day: date, run_id: str
) -> tuple[list[Entry], list[tuple[str, HeldOut]]]:
    """Post the in-scope businesses' day, dating adjustments by the pipeline's clock. What
    cannot post (an order, or a location-day with unmapped items) is held and returned; a
    refusal of the whole run (a broken contract) raises."""
    return post_business_day(con, day, in_scope(), pipeline_now(), run_id)


def journal_metadata(
    entries: list[Entry], held: list[tuple[str, HeldOut]]
) -> dict[dg.AssetKey, dict]:
    whole_days = sorted({location for location, h in held if h.whole_day})
    return {
        ENTRIES: {
            "entries": len(entries),
            "adjusting_entries": sum(1 for e in entries if e.adjusts_entry_id),
            "held_out": sum(1 for _, h in held if not h.whole_day),
            # Locations whose whole day waits for reference data (marts.posting_exceptions).
            "held_locations": ", ".join(whole_days) or "none",
            "total_debit": str(to_decimal(sum(e.total_debit for e in entries))),
        },
        LINES: {"lines": sum(len(e.lines) for e in entries)},
    }
