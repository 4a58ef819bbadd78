"""Daily partitions are business dates; each location reads them in its own time zone."""

from __future__ import annotations

import dagster as dg

DAILY = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_offset=0)
# Every asset that writes the warehouse claims this pool: DuckDB allows one writer per file.
WAREHOUSE_POOL = "duckdb_warehouse"
