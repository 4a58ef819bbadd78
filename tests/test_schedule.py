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


def test_the_schedules_run_plans_every_date_of_its_window_once():
    """Dagster takes the request's range tags on daily_job: one run, each date planned for
    each dated asset, the undated ones once."""
    schedule = defs.resolve_schedule_def("daily_schedule")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    with dg.DagsterInstance.ephemeral() as instance:
        run = instance.create_run_for_job(
            job_def=defs.resolve_job_def("daily_job"), tags=request.tags
        )
        planned: dict[tuple[str, ...], list[str | None]] = {}
        for record in instance.get_records_for_run(run.run_id).records:
            event = record.event_log_entry.dagster_event
            if event is None or not event.is_asset_materialization_planned:
                continue
            data = event.event_specific_data
            keys = (
                data.partitions_subset.get_partition_keys()
                if data.partitions_subset is not None
                else [data.partition]
            )
            planned.setdefault(tuple(data.asset_key.path), []).extend(keys)
    window = daily_partitions(date(2026, 11, 24))
    assert sorted(planned[("raw", "square_orders")]) == window
    assert sorted(planned[("marts", "journal_lines")]) == window
    assert planned[("raw", "square_customers")] == [None]
