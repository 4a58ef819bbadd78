"""The daily schedule: yesterday, plus the business dates whose late sales may have arrived."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from assets.partitions import RANGE_END_TAG, RANGE_START_TAG
from pipeline.extraction.landing import LOOKBACK

# Offline POS sales sync up to LOOKBACK after the sale: re-extract that many days back.
LOOKBACK_DAYS = LOOKBACK.days


def daily_partitions(today) -> list[str]:
    """Oldest first: yesterday and the LOOKBACK_DAYS business dates before it."""
    return [(today - timedelta(days=back)).isoformat() for back in range(LOOKBACK_DAYS + 1, 0, -1)]


def build_daily_schedule(job) -> dg.ScheduleDefinition:
    # 09:00 UTC: every location's previous business day has closed (Pacific time included).
    @dg.schedule(
        job=job,
        cron_schedule="0 9 * * *",
        execution_timezone="UTC",
        name="daily_schedule",
        description=(
            f"Every day at 09:00 UTC, once every location's previous business day has closed: "
            f"daily_job for yesterday and the {LOOKBACK_DAYS} business dates before it, whose "
            "offline POS sales may have arrived late, as one run over those dates. Stopped "
            "until turned on."
        ),
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def daily_schedule(context: dg.ScheduleEvaluationContext):
        today = context.scheduled_execution_time.date()
        window = daily_partitions(today)
        # One run over the window, tagged with Dagster's partition-range tags as its single-run
        # backfills are; its partitioned assets walk the dates in order (assets/partitions.py).
        return dg.RunRequest(
            run_key=f"{window[0]}..{window[-1]}@{today.isoformat()}",
            tags={
                RANGE_START_TAG: window[0],
                RANGE_END_TAG: window[-1],
            },
        )

    return daily_schedule
