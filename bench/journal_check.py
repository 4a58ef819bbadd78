"""The GX journal check's cost on a warehouse `backbone demo` left, as ratios taken in one run.

    .venv/bin/python bench/journal_check.py --home .backbone

For each business date: the check as it runs now (that date's lines, one Data Docs build) beside
the same suite over the whole journal (what every journal run used to validate); then one run
over the whole window (one run per date range). A copy of the warehouse is read and Data Docs
go to a temporary folder, so the home is left as it was. GX is imported and a first context
made before anything is timed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.store.quality import journal_lines_for, run_journal_suite

AT = datetime(2026, 1, 1, 12, tzinfo=UTC)


def timed(con, work: Path, dates: tuple[str, str] | None, name: str) -> tuple[float, int]:
    started = time.perf_counter()
    lines = journal_lines_for(con, dates)
    result = run_journal_suite(lines, work, run_name=name, run_time=AT)
    assert result.success and not result.remote, result
    return time.perf_counter() - started, len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(".backbone"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-journal-check-"))
    try:
        shutil.copyfile(args.home / "warehouse.duckdb", work / "warehouse.duckdb")
        con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
        dates = [
            str(d)
            for (d,) in con.execute(
                "SELECT DISTINCT business_date FROM marts.journal_entries ORDER BY 1"
            ).fetchall()
        ]
        timed(con, work / "warm", (dates[0], dates[0]), "warm-up")
        day, whole = [], []
        for d in dates:
            seconds, n = timed(con, work / "day", (d, d), f"journal {d}")
            day.append(seconds)
            seconds, total = timed(con, work / "whole", None, f"journal all dates {d}")
            whole.append(seconds)
            print(f"{d}: its date {day[-1]:.2f}s ({n} lines), whole journal {whole[-1]:.2f}s")
        window, total = timed(con, work / "window", (dates[0], dates[-1]), "journal window")
        print(
            f"per date: total {sum(day):.1f}s, median {statistics.median(day):.2f}s; "
            f"whole journal each time: total {sum(whole):.1f}s, median "
            f"{statistics.median(whole):.2f}s ({total} lines); ratio {sum(whole) / sum(day):.2f}"
        )
        print(
            f"one run over {dates[0]}..{dates[-1]}: {window:.2f}s, "
            f"{sum(day) / window:.1f}x less than a run per date"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
