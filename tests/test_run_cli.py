"""`backbone run --from --to`: the dates it runs, and arguments refused in one line each."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pipeline.app.cli import chosen_dates, local_today, main

BACKBONE = str(Path(sys.executable).with_name("backbone"))


def test_the_dates_are_from_to_inclusive_oldest_first_across_a_month_end():
    dates = chosen_dates("2026-10-30", "2026-11-02", date(2026, 1, 1), date(2026, 11, 20))
    assert dates == ["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]
    assert chosen_dates("2026-11-19", "2026-11-19", date(2026, 1, 1), date(2026, 11, 20)) == [
        "2026-11-19"
    ]


REFUSED = {
    "bad date": (
        ["--from", "2026-11-31", "--to", "2026-11-19"],
        "backbone run: --from '2026-11-31' is not a date (YYYY-MM-DD)",
    ),
    "reversed": (
        ["--from", "2026-11-19", "--to", "2026-11-18"],
        "backbone run: --from 2026-11-19 is after --to 2026-11-18",
    ),
    "unknown business": (
        ["--from", "2026-11-18", "--to", "2026-11-19", "--business", "cafe,bakery"],
        "backbone run: unknown business bakery; known: boutique, cafe, studio",
    ),
    # 12:00 UTC on the 20th is still the 20th in every demo location: that day is not over.
    "not over yet": (
        ["--from", "2026-11-19", "--to", "2026-11-20"],
        "backbone run: --to 2026-11-20 is not over yet",
    ),
    "before the first partition": (
        ["--from", "2026-10-31", "--to", "2026-11-02"],
        "backbone run: --from 2026-10-31 is before the first business date, 2026-11-01",
    ),
}


def test_demo_refuses_days_before_the_first_business_date(monkeypatch):
    monkeypatch.delenv("BACKBONE_SOURCE", raising=False)
    monkeypatch.delenv("BACKBONE_FIRST_BUSINESS_DATE", raising=False)
    monkeypatch.setenv("BACKBONE_NOW", "2026-11-20T12:00:00Z")
    with pytest.raises(SystemExit) as refused:
        main(["demo", "--days", "20", "--business", "cafe"])
    assert str(refused.value).startswith(
        "backbone demo: --days 20 reaches back to 2026-10-31, before the first business date, "
        "2026-11-01"
    )


@pytest.mark.parametrize("case", REFUSED)
def test_run_refuses_bad_arguments_in_one_line(monkeypatch, case):
    monkeypatch.delenv("BACKBONE_SOURCE", raising=False)
    monkeypatch.setenv("BACKBONE_NOW", "2026-11-20T12:00:00Z")
    args, message = REFUSED[case]
    with pytest.raises(SystemExit) as refused:
        main(["run", *args])
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)


def test_a_day_is_over_only_once_it_is_over_at_every_chosen_location(monkeypatch):
    """06:00 UTC on the 20th: the 19th is over in New York (01:00 on the 20th) but not in
    Seattle or Portland (22:00 on the 19th), so the cafe may run it and the boutique not yet."""
    monkeypatch.delenv("BACKBONE_SOURCE", raising=False)
    monkeypatch.setenv("BACKBONE_NOW", "2026-11-20T06:00:00Z")
    assert local_today(["cafe"]) == date(2026, 11, 20)
    assert local_today(["boutique"]) == date(2026, 11, 19)
    assert local_today(None) == date(2026, 11, 19)
    with pytest.raises(SystemExit, match=r"--to 2026-11-19 is not over yet.*it is 2026-11-19"):
        main(["run", "--from", "2026-11-19", "--to", "2026-11-19", "--business", "boutique"])


def test_the_console_script_prints_an_invalid_clock_as_one_line():
    env = {"PATH": "/usr/bin:/bin", "BACKBONE_NOW": "tomorrow"}
    done = subprocess.run(  # noqa: S603 - our own console script
        [BACKBONE, "run", "--from", "2026-11-18", "--to", "2026-11-19"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "backbone run: BACKBONE_NOW='tomorrow' is not an ISO 8601 instant "
        "(e.g. 2026-11-20T12:00:00Z; no offset means UTC)\n"
    )
