"""What finance sees in the Dagster UI: every job, schedule and sensor says what it does, and
daily partitions start at the businesses' first business date, not at a fixed old date."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.definitions import defs


def _undescribed(items) -> list[str]:
    return [item.name for item in items if not (item.description or "").strip()]


def test_every_job_schedule_and_sensor_has_a_description():
    repository = defs.get_repository_def()
    # Dagster's implicit __ASSET_JOB is hidden in the UI; every job a person can open is ours.
    jobs = [job for job in repository.get_all_jobs() if not job.name.startswith("__")]
    assert len(jobs) >= 7
    assert _undescribed(jobs) == []
    assert [s.name for s in repository.schedule_defs] == ["daily_schedule"]
    assert _undescribed(repository.schedule_defs) == []
    assert _undescribed(repository.sensor_defs) == []


def test_partitions_start_at_the_first_business_date_in_scope(monkeypatch):
    from pipeline.store.tenants import first_business_date

    monkeypatch.delenv("BACKBONE_FIRST_BUSINESS_DATE", raising=False)
    monkeypatch.delenv("BACKBONE_BUSINESSES", raising=False)
    # reference/businesses.csv: cafe and boutique from 2026-11-01, studio from 2026-11-09.
    assert first_business_date() == date(2026, 11, 1)
    monkeypatch.setenv("BACKBONE_BUSINESSES", "studio")
    assert first_business_date() == date(2026, 11, 9)
    monkeypatch.setenv("BACKBONE_FIRST_BUSINESS_DATE", "2026-10-15")
    assert first_business_date() == date(2026, 10, 15)
    monkeypatch.setenv("BACKBONE_FIRST_BUSINESS_DATE", "15/10/2026")
    with pytest.raises(
        ValueError, match=r"BACKBONE_FIRST_BUSINESS_DATE='15/10/2026' is not a date"
    ):
        first_business_date()


def test_the_loaded_definitions_partition_from_that_date():
    from assets.partitions import DAILY

    specs = defs.resolve_all_asset_specs()
    partitioned = {s.key.to_user_string(): s.partitions_def for s in specs if s.partitions_def}
    assert {"marts/journal_lines", "raw/square_orders"} <= set(partitioned)
    assert set(partitioned.values()) == {DAILY}
    assert DAILY.get_partition_keys()[:2] == ["2026-11-01", "2026-11-02"]
