"""Daily partitions are business dates; each location reads them in its own time zone.

They start at the first business date of the businesses in scope (reference/businesses.csv, or
BACKBONE_FIRST_BUSINESS_DATE), not at a fixed date: the UI then lists as missing only dates a
business has traded on and the pipeline has not run yet."""

from __future__ import annotations

import dagster as dg

from pipeline.store.tenants import first_business_date

DAILY = dg.DailyPartitionsDefinition(start_date=first_business_date().isoformat(), end_offset=0)
# Every asset that writes the warehouse claims this pool: DuckDB allows one writer per file.
WAREHOUSE_POOL = "duckdb_warehouse"
