"""`backbone erase` and `backbone deadletter list|replay`: the operator's privacy and repair
commands. Both run through the same Dagster jobs the UI offers, so they appear in the run
history and event log like any other run."""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from pathlib import Path

import duckdb
from rich.console import Console

console = Console()
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    erase = sub.add_parser(
        "erase",
        help="erase one customer's PII on request (finance kept under a pseudonym, logged)",
        description="Remove the customer's PII from the warehouse, scorecard and exports, ask "
        "HubSpot to GDPR-delete their contact, and record the request in ops.erasure_log.",
    )
    erase.add_argument("--customer", required=True, metavar="ID", help="core.customers id")
    erase.add_argument("--requested-by", default=None, help="who handled it (default: OS user)")
    erase.add_argument("--home", default=None, help="BACKBONE_HOME (default ./.backbone)")

    dead = sub.add_parser("deadletter", help="list or replay ops.dead_letter rows")
    dead.add_argument("action", choices=["list", "replay"])
    dead.add_argument("--source", default=None, help="e.g. square, hubspot, xero")
    dead.add_argument("--entity", default=None, help="e.g. orders, customers")
    dead.add_argument("--since", default=None, metavar="DATE", help="dead-lettered on/after")
    dead.add_argument("--home", default=None, help="BACKBONE_HOME (default ./.backbone)")


def _since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--since {value!r} is not a date (YYYY-MM-DD)") from None


def _prepare(home: str | None):
    from pipeline.app.instance import prepare_dagster_home
    from pipeline.app.runner import use_home_and_businesses
    from pipeline.settings import use_sandbox_state_under_home

    use_home_and_businesses(Path(home) if home else None, None)
    prepare_dagster_home()
    use_sandbox_state_under_home()


def erase(args: argparse.Namespace) -> int:
    from dagster import DagsterInstance

    _prepare(args.home)
    from pipeline.definitions import defs

    who = args.requested_by or getpass.getuser()
    config = {"customer_id": args.customer, "requested_by": who}
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("erase_customer_job").execute_in_process(
            instance=instance,
            run_config={**QUIET, "ops": {"erase_customer_op": {"config": config}}},
            raise_on_error=False,
            tags={"backbone/launched_by": "erase"},
        )
    for event in result.all_events:
        if event.is_step_failure and event.event_specific_data.error:
            error = event.event_specific_data.error
            while error.cause is not None:  # the reason, not Dagster's wrapper around it
                error = error.cause
            message = error.message.strip().splitlines()[0]
            console.print(f"[red]✗ backbone erase: {message}[/red]", soft_wrap=True)
            return 1
    from pipeline.settings import warehouse_path

    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        pseudonym, rows, contacts, status = con.execute(
            "SELECT pseudonym, rows_scrubbed, hubspot_contacts, hubspot_status "
            "FROM ops.erasure_log WHERE run_id = ?",
            [result.run_id],
        ).fetchone()
    console.print(
        f"[green]✓[/green] customer {args.customer} erased as {pseudonym}: {rows} rows scrubbed; "
        f"HubSpot contacts {contacts or 'none'}: {status}",
        soft_wrap=True,
        highlight=False,
    )
    console.print(f"  logged in ops.erasure_log (run {result.run_id})", highlight=False)
    return 0


def dead_letters(args: argparse.Namespace) -> list[tuple]:
    from pipeline.settings import warehouse_path
    from pipeline.store.dead_letter_replay import matching

    path = warehouse_path()
    if not path.exists():
        raise ValueError(f"no warehouse at {path}: run `backbone run` or `backbone demo` first")
    with duckdb.connect(str(path), read_only=True) as con:
        return matching(con, args.source, args.entity, _since(args.since))


def list_dead_letters(args: argparse.Namespace) -> int:
    from pipeline.app.runner import use_home_and_businesses

    use_home_and_businesses(Path(args.home) if args.home else None, None)
    rows = dead_letters(args)
    console.print(f"ops.dead_letter: {len(rows)} row(s)", highlight=False)
    # One line each, tab-separated, so the list can be piped to grep or cut as well as read.
    for at, stage, business, partition, source, entity, record, reason in rows:
        fields = (f"{at:%Y-%m-%d %H:%M}", stage, business or "-", partition or "-",
                  f"{source}/{entity}", record or "-", reason)  # fmt: skip
        console.print("\t".join(fields), soft_wrap=True, highlight=False, markup=False)
    return 0


def replay(args: argparse.Namespace) -> int:
    """Re-run what produced the matching dead letters: the business dates of extract dead
    letters end to end (extract, models, journal, write-back, CRM, exports; what the schedule
    runs), or, for model and CRM dead letters, the models, CRM and export jobs."""
    from pipeline.app.runner import _run, run_dates, use_home_and_businesses
    from pipeline.store.dead_letter_replay import plan

    _prepare(args.home)
    before = dead_letters(args)
    if not before:
        console.print("nothing to replay: no dead letter matches", highlight=False)
        return 0
    partitions, jobs = plan(before)
    businesses = sorted({r[2] for r in before if r[2]})
    if businesses and all(r[2] for r in before):
        # Only the businesses the dead letters came from: a replay re-runs nothing else.
        use_home_and_businesses(None, businesses)
    console.print(
        f"replaying {len(before)} dead letter(s) of {', '.join(businesses) or 'every business'}: "
        f"dates {', '.join(partitions) or 'none'}; "
        f"jobs {', '.join(jobs) or 'none'}",
        highlight=False,
    )
    if partitions:
        run_dates(partitions, command="deadletter replay")
    if jobs:
        from dagster import DagsterInstance

        from pipeline.definitions import defs

        with DagsterInstance.get() as instance:
            for job in jobs:
                _run(defs, instance, job, None, job, "deadletter replay")
    after = dead_letters(args)
    console.print(
        f"dead letters matching: {len(before)} before, {len(after)} after", highlight=False
    )
    return 0
