"""`backbone run --from --to`: the dates it runs, and arguments refused in one line each."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pipeline.app.cli import chosen_dates, local_today, main

BACKBONE = str(Path(sys.executable).with_name("backbone"))
RUN_DATES = ["--from", "2026-11-18", "--to", "2026-11-19"]


def test_the_dates_are_from_to_inclusive_oldest_first_across_a_month_end():
    dates = chosen_dates("2026-10-30", "2026-11-02", date(2026, 11, 20))
    assert dates == ["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]
    assert chosen_dates("2026-11-19", "2026-11-19", date(2026, 11, 20)) == ["2026-11-19"]


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
}


def test_dates_before_the_first_business_date_run_with_partitions_reaching_back(
    monkeypatch, capsys
):
    """A backfill or a replay of a vendor's own dates may start before the configured first
    business date: the run's partitions start at the earliest date asked for, and it says so."""
    from pipeline.app.cli import _reach_back

    monkeypatch.delenv("BACKBONE_FIRST_BUSINESS_DATE", raising=False)
    _reach_back("2026-11-05", ["cafe"])
    assert "BACKBONE_FIRST_BUSINESS_DATE" not in __import__("os").environ
    _reach_back("2026-10-31", ["cafe"])
    assert __import__("os").environ["BACKBONE_FIRST_BUSINESS_DATE"] == "2026-10-31"
    assert "2026-10-31 is before the first business date, 2026-11-01" in capsys.readouterr().err


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
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "backbone run: BACKBONE_NOW='tomorrow' is not an ISO 8601 instant "
        "(e.g. 2026-11-20T12:00:00Z; no offset means UTC)\n"
    )
    # --debug shows where it was refused.
    debug = subprocess.run(  # noqa: S603 - our own console script
        [BACKBONE, "run", "--from", "2026-11-18", "--to", "2026-11-19", "--debug"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert debug.returncode == 1 and "Traceback" in debug.stderr


PG = {
    "DAGSTER_PG_HOST": "127.0.0.1",
    "DAGSTER_PG_USER": "postgres",
    "DAGSTER_PG_PASSWORD": "",
    "DAGSTER_PG_DB": "dagster",
}
# Each mistake in the environment: what is set, and the one line that names variable and fix.
MISTAKES = {
    "unknown business": (
        {"BACKBONE_BUSINESSES": "cafe,bakery"},
        "BACKBONE_BUSINESSES: unknown business bakery; known: boutique, cafe, studio",
    ),
    "bad source": (
        {"BACKBONE_SOURCE": "prod"},
        "BACKBONE_SOURCE must be 'sandbox' or 'live', not 'prod'",
    ),
    "bad clock": ({"BACKBONE_NOW": "tomorrow"}, "BACKBONE_NOW='tomorrow' is not an ISO 8601"),
    "missing token": (
        {"BACKBONE_SOURCE": "live", "SQUARE_ACCESS_TOKEN": "sq-token"},
        "BACKBONE_SOURCE=live but HUBSPOT_ACCESS_TOKEN, XERO_ACCESS_TOKEN not set: export",
    ),
    "bad storage": (
        {"BACKBONE_DAGSTER_STORAGE": "mysql"},
        "BACKBONE_DAGSTER_STORAGE='mysql' is not a Dagster storage: set it to sqlite",
    ),
    "postgres settings missing": (
        {"BACKBONE_DAGSTER_STORAGE": "postgres", "DAGSTER_PG_HOST": "127.0.0.1"},
        "BACKBONE_DAGSTER_STORAGE=postgres but DAGSTER_PG_PORT, DAGSTER_PG_USER, "
        "DAGSTER_PG_PASSWORD, DAGSTER_PG_DB not set",
    ),
    # Port 1: nothing listens there, so the connection is refused at once.
    "postgres unreachable": (
        {"BACKBONE_DAGSTER_STORAGE": "postgres", **PG, "DAGSTER_PG_PORT": "1"},
        "PostgreSQL not reachable at DAGSTER_PG_HOST=127.0.0.1 DAGSTER_PG_PORT=1 "
        "DAGSTER_PG_USER=postgres (",
    ),
    "bad wait": (
        {"BACKBONE_WAIT_SECONDS": "soon"},
        "BACKBONE_WAIT_SECONDS='soon' is not a number of seconds",
    ),
}


@pytest.mark.parametrize("case", MISTAKES)
@pytest.mark.parametrize("command", [["demo", "--days", "2"], ["run", *RUN_DATES]])
def test_a_configuration_mistake_is_one_line_with_exit_status_2(
    monkeypatch, tmp_path, capsys, case, command
):
    for name in list(os.environ):
        if name.startswith(("BACKBONE_", "DAGSTER_", "SQUARE_", "HUBSPOT_", "XERO_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.setenv("BACKBONE_NOW", "2026-11-20T12:00:00Z")
    variables, message = MISTAKES[case]
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as refused:
        main(command)
    assert refused.value.code == 2
    line = capsys.readouterr().err
    assert line.startswith(f"backbone {command[0]}: {message}"), line
    assert line.count("\n") == 1 and "Traceback" not in line
    assert not (tmp_path / "dagster").exists()  # refused before anything ran
