"""Reference values the Dagster definitions need while they load, read with the csv module.

Loading definitions must stay fast (every run and the UI pay for it), so this module imports
neither pandas nor Pandera; the files' contracts are checked by the ref assets before anything
is posted with them (reference_files.py).
"""

from __future__ import annotations

import csv

from pipeline.settings import reference_dir


def refund_reason_codes() -> list[str]:
    """The reason codes of refund_reasons.csv: what the refund-reason form offers."""
    with (reference_dir() / "refund_reasons.csv").open(newline="") as handle:
        return [row["reason"] for row in csv.DictReader(handle) if row.get("reason")]
