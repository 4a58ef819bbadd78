"""The simulator benchmark runs and reports its ratio (the goal itself is bench/'s to check)."""

from __future__ import annotations

from bench.simulator import main, measure


def test_the_simulator_bench_measures_a_day_against_its_floor(capsys):
    result = measure(days=1)
    assert result["orders_per_day"] > 100
    assert result["generate_ms_per_day"] > 0 and result["floor_ms_per_day"] > 0
    expected = result["generate_ms_per_day"] / result["floor_ms_per_day"]
    assert abs(result["ratio"] - expected) < 0.05 * expected
    assert main(["--days", "1", "--max-ratio", "0.001"]) == 1  # the goal can fail
    assert "is over" in capsys.readouterr().err
