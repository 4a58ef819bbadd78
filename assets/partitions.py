"""Daily partitions are business dates; each location reads them in its own time zone.

They start at the first business date of the businesses in scope (reference/businesses.csv, or
BACKBONE_FIRST_BUSINESS_DATE), not at a fixed date: the UI then lists as missing only dates a
business has traded on and the pipeline has not run yet.

A window of dates is one run (SINGLE_RUN): the schedule, `backbone run` and a backfill from the
UI each launch one run over the whole window, and the partitioned assets walk its dates in order
(context.partition_keys). Dagster's cost is per run and per step, not per row: one run per date
paid it once per date."""

from __future__ import annotations

import warnings

import dagster as dg

from pipeline.store.tenants import first_business_date

DAILY = dg.DailyPartitionsDefinition(start_date=first_business_date().isoformat(), end_offset=0)
# Dagster marks the asset's backfill_policy parameter beta; we rely on it knowingly (one run
# per window) and keep the warning out of every console that loads the definitions.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)
SINGLE_RUN = dg.BackfillPolicy.single_run()
# Every asset that writes the warehouse claims this pool: DuckDB allows one writer per file.
WAREHOUSE_POOL = "duckdb_warehouse"
# Dagster's tags for one run over a range of partitions (what its single-run backfills set and
# its docs show for range runs; dagster._core.storage.tags holds the same strings).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
