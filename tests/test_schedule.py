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


def test_schedule_requests_one_run_over_yesterday_and_the_look_back():
    schedule = defs.resolve_schedule_def("daily_schedule")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key_range == dg.PartitionKeyRange("2026-11-20", "2026-11-23")
    assert request.run_key == "2026-11-20..2026-11-23@2026-11-24"
    assert schedule.job_name == "daily_job"


def test_every_partitioned_asset_runs_a_window_as_one_run():
    """A range run (the schedule's, `backbone run`'s, a UI backfill's) is one run only if every
    partitioned asset in it says so; one asset without the policy splits a UI backfill."""
    graph = defs.resolve_asset_graph()
    partitioned = [node for node in graph.asset_nodes if node.partitions_def is not None]
    assert {node.key.path[-1] for node in partitioned} >= {"square_orders", "journal_lines"}
    for node in partitioned:
        assert node.backfill_policy == dg.BackfillPolicy.single_run(), node.key
