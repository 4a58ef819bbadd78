from datetime import UTC, date, datetime

import dagster as dg

from pipeline.definitions import defs
from pipeline.definitions.schedules import daily_partitions


def test_look_back_covers_three_days_before_yesterday():
    assert daily_partitions(date(2026, 11, 24)) == [
        "2026-11-20",
        "2026-11-21",
        "2026-11-22",
        "2026-11-23",
    ]


def test_schedule_requests_yesterday_and_the_look_back_partitions():
    schedule = defs.resolve_schedule_def("daily_schedule")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    requests = list(schedule.evaluate_tick(context).run_requests)
    assert [r.partition_key for r in requests] == daily_partitions(date(2026, 11, 24))
    assert len({r.run_key for r in requests}) == 4
    assert schedule.job_name == "daily_job"
