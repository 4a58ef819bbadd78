"""`backbone demo`: the last N business days for the demo businesses, end to end.

The demo is `backbone run` over the last N complete dates (pipeline/app/runner.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline.app.runner import run_dates, use_home_and_businesses


def business_days(days: int, today: date | None = None) -> list[str]:
    """The last `days` complete dates, oldest first (yesterday is the newest)."""
    end = (today or datetime.now(UTC).date()) - timedelta(days=1)
    return [(end - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


def _today() -> date:
    """Today by the pipeline's clock (BACKBONE_NOW, else the sandbox's or the real one)."""
    from resources.world import pipeline_now

    return pipeline_now().date()


def run_demo(days: int = 14, businesses: list[str] | None = None, home: Path | None = None) -> int:
    use_home_and_businesses(home, businesses)
    return run_dates(business_days(days, today=_today()), command="demo")
