"""The benchmark's world: a scaled simulator, the reference files that describe it, and a real
run of the pipeline over it.

Everything here runs in the child process of one measurement (bench/pipeline.py), because the
simulator's scale is process-wide (sandbox/scale.py) and peak memory is the process's own.
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The bench's clock: a fixed instant, so every size replays the same business dates.
NOW = "2026-11-20T12:00:00Z"
LAST_DAY = date(2026, 11, 19)


@dataclass(frozen=True)
class Shape:
    """How much the simulator generates: per business, per location, per day."""

    locations: int
    orders_per_day: int
    days: int
    business: str = "cafe"

    @property
    def dates(self) -> tuple[date, date]:
        return LAST_DAY - timedelta(days=self.days - 1), LAST_DAY

    @property
    def scale_env(self) -> str:
        return f"locations={self.locations},orders_per_day={self.orders_per_day}"


def environment(shape: Shape, home: Path) -> dict[str, str]:
    """The variables a run over the scaled simulator needs (set before anything is imported)."""
    return {
        "BACKBONE_SOURCE": "sandbox",
        "BACKBONE_NOW": NOW,
        "BACKBONE_HOME": str(home),
        "BACKBONE_SANDBOX_SCALE": shape.scale_env,
        "BACKBONE_REFERENCE_DIR": str(home / "reference"),
        "BACKBONE_SANDBOX_STATE": str(home / "sandbox-state.pickle"),
        "BACKBONE_BUSINESSES": shape.business,
        "DAGSTER_HOME": str(home / "dagster"),
    }


def write_reference(home: Path) -> Path:
    """The repository's reference/ with locations.csv listing the scaled simulator's locations,
    as ops would describe a chain that opened them. Call after the scale is applied."""
    from sandbox.world import BUSINESSES  # bench code, like tests, may drive the simulator

    target = home / "reference"
    shutil.copytree(REPO / "reference", target, dirs_exist_ok=True)
    with (REPO / "reference" / "locations.csv").open(newline="") as f:
        columns = next(csv.reader(f))
    with (target / "locations.csv").open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for business in BUSINESSES.values():
            for loc in business.locations:
                row = {
                    "location_id": loc.id,
                    "business_id": loc.business_id,
                    "name": loc.name,
                    "timezone": loc.timezone,
                    "jurisdiction": loc.jurisdiction,
                    "country": loc.country,
                    "phone": loc.phone,
                }
                writer.writerow([row[c] for c in columns])
    return target


def prepare(shape: Shape, home: Path) -> None:
    """The environment and reference files of a run over the scaled simulator."""
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment(shape, home))
    import sandbox  # noqa: F401 - applies BACKBONE_SANDBOX_SCALE before anything is generated

    write_reference(home)


def run_pipeline(shape: Shape, home: Path, dates: tuple[date, date] | None = None) -> int:
    """`backbone run` over the shape's dates (or `dates`), in this process (the CLI's own main),
    against the in-process simulator: extract over httpx, models, posting, write-back, CRM,
    exports. Call `prepare` first."""
    from pipeline.app.cli import main

    first, last = dates or shape.dates
    return main(
        [
            "run",
            "--from",
            first.isoformat(),
            "--to",
            last.isoformat(),
            "--business",
            shape.business,
            "--home",
            str(home),
        ]
    )
