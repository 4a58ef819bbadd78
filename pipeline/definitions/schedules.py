"""The daily schedule: yesterday, plus the business dates whose late sales may have arrived."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

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
            "offline POS sales may have arrived late. Stopped until turned on."
        ),
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def daily_schedule(context: dg.ScheduleEvaluationContext):
        today = context.scheduled_execution_time.date()
        for partition in daily_partitions(today):
            yield dg.RunRequest(run_key=f"{partition}@{today.isoformat()}", partition_key=partition)

    return daily_schedule
