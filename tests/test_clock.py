"""BACKBONE_NOW: the pipeline's one clock, in live and sandbox mode, handed to the simulator."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from pipeline.settings import pipeline_clock
from resources import world


def test_backbone_now_reads_iso_8601_and_a_naive_value_is_utc(monkeypatch):
    monkeypatch.delenv("BACKBONE_NOW", raising=False)
    assert pipeline_clock() is None
    cases = {
        "2026-11-20T12:00:00Z": datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        "2026-11-20T12:00:00": datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        # Pacific winter time: 04:30 there is 12:30 UTC.
        "2026-11-20T04:30:00-08:00": datetime(2026, 11, 20, 12, 30, tzinfo=UTC),
        "2026-11-20T12:00:00.123456+00:00": datetime(2026, 11, 20, 12, 0, 0, 123000, tzinfo=UTC),
        "2026-11-20": datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
    }
    for raw, expected in cases.items():
        monkeypatch.setenv("BACKBONE_NOW", raw)
        assert pipeline_clock() == expected, raw
        assert pipeline_clock().utcoffset().total_seconds() == 0


def test_an_invalid_backbone_now_names_the_variable_in_one_line(monkeypatch):
    monkeypatch.setenv("BACKBONE_NOW", "20/11/2026 noon")
    with pytest.raises(ValueError) as refused:
        pipeline_clock()
    assert str(refused.value).startswith("BACKBONE_NOW='20/11/2026 noon' is not an ISO 8601")
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("source", ["live", "sandbox"])
def test_backbone_now_is_the_pipelines_clock_in_both_modes(monkeypatch, source):
    monkeypatch.setenv("BACKBONE_SOURCE", source)
    monkeypatch.setenv("BACKBONE_SANDBOX_NOW", "2026-12-01T12:00:00Z")
    monkeypatch.setenv("BACKBONE_NOW", "2026-11-20T09:15:00+01:00")
    assert world.pipeline_now() == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)


def _payments(day: str) -> list[dict]:
    """The cafe's Square payments updated on `day`, through the in-process transport."""
    with httpx.Client(
        transport=world.in_process_transport(),
        base_url="http://sandbox.invalid",
        headers={"Authorization": "Bearer any"},
    ) as client:
        answer = client.get(
            "/cafe/square/v2/payments",
            params={
                "location_id": "LCAFE01",
                "begin_time": f"{day}T00:00:00Z",
                "end_time": f"{day}T23:59:59Z",
                "limit": 100,
            },
        )
    assert answer.status_code == 200, answer.text
    return answer.json().get("payments", [])


def test_the_in_process_simulator_runs_on_backbone_now(monkeypatch):
    """Data and pipeline agree: with BACKBONE_NOW before the simulator's own clock, the
    simulator has no payments after BACKBONE_NOW, as a real Square would not."""
    monkeypatch.setenv("BACKBONE_SOURCE", "sandbox")
    monkeypatch.setenv("BACKBONE_SANDBOX_NOW", "2026-12-01T12:00:00Z")
    monkeypatch.delenv("BACKBONE_NOW", raising=False)
    assert _payments("2026-11-25"), "the simulator's own clock has data on 2026-11-25"
    monkeypatch.setenv("BACKBONE_NOW", "2026-11-20T12:00:00Z")
    assert _payments("2026-11-25") == []
    before = _payments("2026-11-19")
    assert before and all(p["created_at"] < "2026-11-20T12:00:00Z" for p in before)
