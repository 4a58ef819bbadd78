"""The `backbone` command."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from pipeline.app import audit_cli, privacy_cli, sql_cli


def _businesses(value: str) -> list[str]:
    return [b.strip() for b in value.split(",") if b.strip()]


def _scope_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--business",
        type=_businesses,
        default=None,
        help="comma list, e.g. cafe,boutique,studio (default: all)",
    )
    parser.add_argument(
        "--home", type=Path, default=None, help="BACKBONE_HOME (default ./.backbone)"
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of a refused configuration"
    )


class Refused(SystemExit):
    """A mistake in the arguments or the environment: one line (its str), exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message

    def __str__(self) -> str:
        return self.message


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backbone", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="materialize the last N business days end to end")
    demo.add_argument("--days", type=int, default=14)
    _scope_arguments(demo)

    run = sub.add_parser(
        "run",
        help="what the daily schedule runs, for chosen business dates, against BACKBONE_SOURCE",
        description="Extract, model, post, write back and export the business dates FROM..TO "
        "(inclusive) against the configured source (BACKBONE_SOURCE=sandbox|live), on the "
        "pipeline's clock (BACKBONE_NOW, else the real one; the simulator's in sandbox mode).",
    )
    # Dates stay strings here so a bad one is refused in one line, not argparse's usage block.
    run.add_argument("--from", dest="start", required=True, metavar="DATE", help="YYYY-MM-DD")
    run.add_argument("--to", dest="end", required=True, metavar="DATE", help="YYYY-MM-DD")
    _scope_arguments(run)

    audit_cli.add_parser(sub)
    # The simulator parses its own arguments (`backbone sandbox serve --help`).
    sub.add_parser("sandbox", help="the vendor simulator: `backbone sandbox serve [--port N]`")
    privacy_cli.add_parsers(sub)
    sql_cli.add_parser(sub)
    return parser


def _date(flag: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{flag} {value!r} is not a date (YYYY-MM-DD)") from None


def chosen_dates(start: str, end: str, today: date) -> list[str]:
    """The business dates FROM..TO, oldest first; ValueError (one line) when they cannot run:
    not dates, reversed, or not over yet on the pipeline's clock (`today` is the earliest local
    date among the chosen locations)."""
    begin, last = _date("--from", start), _date("--to", end)
    if begin > last:
        raise ValueError(f"--from {begin} is after --to {last}")
    if last >= today:
        raise ValueError(
            f"--to {last} is not over yet: the pipeline's clock says it is {today} at the "
            "chosen locations (set BACKBONE_NOW to replay a later day)"
        )
    return [(begin + timedelta(days=n)).isoformat() for n in range((last - begin).days + 1)]


def check_businesses(chosen: list[str] | None) -> None:
    """--business, else BACKBONE_BUSINESSES (what `make demo` passes): every name known."""
    from pipeline.settings import selected_businesses
    from pipeline.store.tenants import business_ids

    source = "" if chosen else "BACKBONE_BUSINESSES: "
    chosen = chosen or selected_businesses()
    known = business_ids()
    unknown = [b for b in chosen or [] if b not in known]
    if unknown:
        raise ValueError(
            f"{source}unknown business {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )


def check_live_tokens() -> None:
    """In live mode every connector needs its token; refused here, not at the first request."""
    from pipeline.settings import CREDENTIAL_VARIABLES, source_mode

    if source_mode() != "live":
        return
    missing = [name for name in CREDENTIAL_VARIABLES if not os.environ.get(name, "").strip()]
    if missing:
        raise ValueError(
            f"BACKBONE_SOURCE=live but {', '.join(missing)} not set: export the vendor "
            "token(s) (README, 'point Backbone at a live account'), or BACKBONE_SOURCE=sandbox"
        )


def local_today(businesses: list[str] | None) -> date:
    """The earliest local date, on the pipeline's clock, among the chosen businesses'
    locations: a date is over only once it is over everywhere the run covers."""
    from pipeline.kernel.timeutil import business_date
    from pipeline.store.tenants import locations
    from resources.world import pipeline_now

    now = pipeline_now()
    zones = {loc.timezone for loc in locations() if not businesses or loc.business_id in businesses}
    return min(business_date(now, zone) for zone in zones)


def _partitions(args: argparse.Namespace) -> list[str]:
    """Everything a run needs from its arguments and environment, checked before it starts."""
    from pipeline.app.demo import business_days
    from pipeline.app.instance import check_storage
    from pipeline.app.recovery import wait_seconds
    from pipeline.settings import source_mode
    from resources.world import pipeline_now

    source_mode()  # BACKBONE_SOURCE is refused here, not in the first step
    check_live_tokens()
    check_businesses(args.business)
    wait_seconds()
    if args.command == "demo":
        if args.days < 1:
            raise ValueError("--days must be at least 1")
        days = business_days(args.days, today=pipeline_now().date())
        _reach_back(days[0], args.business)
        check_storage()
        return days
    dates = chosen_dates(args.start, args.end, local_today(args.business))
    _reach_back(dates[0], args.business)
    check_storage()  # last: it may reach out to PostgreSQL
    return dates


def _reach_back(earliest: str, businesses: list[str] | None) -> None:
    """Dates before the configured first business date still run (a backfill, a replay of a
    vendor's own dates): this run's daily partitions start at the earliest one asked for, set
    before the definitions load. The UI keeps the configured start."""
    from pipeline.settings import FIRST_DATE_VARIABLE
    from pipeline.store.tenants import first_business_date

    first = first_business_date(businesses)
    if date.fromisoformat(earliest) < first:
        os.environ[FIRST_DATE_VARIABLE] = earliest
        print(
            f"note: {earliest} is before the first business date, {first}; this run's "
            f"partitions start at {earliest} ({FIRST_DATE_VARIABLE})",
            file=sys.stderr,
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sandbox"]:
        from resources.world import simulator

        return simulator().main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "audit":
        return audit_cli.main(args)
    if args.command == "sql":
        return sql_cli.main(args)
    if args.command in ("erase", "deadletter"):
        return _privacy(args)
    try:
        if args.home is not None:  # the storage check and the lock read the home
            os.environ["BACKBONE_HOME"] = str(args.home.resolve())
        partitions = _partitions(args)
    except ValueError as refused:
        # Argument and environment errors (dates, businesses, BACKBONE_NOW, BACKBONE_SOURCE,
        # tokens, the Dagster storage) are one line, not a traceback, unless --debug.
        if args.debug:
            raise
        return _refuse(f"backbone {args.command}: {refused}")
    from pipeline.app.recovery import Busy
    from pipeline.app.runner import run_dates, use_home_and_businesses

    use_home_and_businesses(args.home, args.business)
    try:
        return run_dates(partitions, command=args.command)
    except Busy as busy:
        print(f"backbone {args.command}: {busy}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: nothing wrong with the run; try again later
    except KeyboardInterrupt:
        print(f"backbone {args.command}: stopped (Ctrl-C)", file=sys.stderr)
        return 130


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    raise Refused(message)


def _privacy(args: argparse.Namespace) -> int:
    handler = {
        "erase": privacy_cli.erase,
        "list": privacy_cli.list_dead_letters,
        "replay": privacy_cli.replay,
    }[getattr(args, "action", "erase")]
    try:
        return handler(args)
    except ValueError as refused:
        raise SystemExit(f"backbone {args.command}: {refused}") from None


if __name__ == "__main__":
    raise SystemExit(main())
