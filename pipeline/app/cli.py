"""The `backbone` command."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from pipeline.app import privacy_cli


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

    # The simulator parses its own arguments (`backbone sandbox serve --help`).
    sub.add_parser("sandbox", help="the vendor simulator: `backbone sandbox serve [--port N]`")
    privacy_cli.add_parsers(sub)
    return parser


def _date(flag: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{flag} {value!r} is not a date (YYYY-MM-DD)") from None


def chosen_dates(start: str, end: str, first: date, today: date) -> list[str]:
    """The business dates FROM..TO, oldest first; ValueError (one line) when they cannot run:
    not dates, reversed, before the first partition, or not over yet on the pipeline's clock
    (`today` is the earliest local date among the chosen locations)."""
    begin, last = _date("--from", start), _date("--to", end)
    if begin > last:
        raise ValueError(f"--from {begin} is after --to {last}")
    if begin < first:
        raise ValueError(f"--from {begin} is before the first business date, {first}")
    if last >= today:
        raise ValueError(
            f"--to {last} is not over yet: the pipeline's clock says it is {today} at the "
            "chosen locations (set BACKBONE_NOW to replay a later day)"
        )
    return [(begin + timedelta(days=n)).isoformat() for n in range((last - begin).days + 1)]


def check_businesses(chosen: list[str] | None) -> None:
    from pipeline.store.tenants import business_ids

    known = business_ids()
    unknown = [b for b in chosen or [] if b not in known]
    if unknown:
        raise ValueError(
            f"unknown business {', '.join(unknown)}; known: {', '.join(sorted(known))}"
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
    from assets.partitions import DAILY
    from pipeline.app.demo import business_days
    from pipeline.settings import source_mode
    from resources.world import pipeline_now

    source_mode()  # BACKBONE_SOURCE is refused here, not in the first step
    check_businesses(args.business)
    if args.command == "demo":
        if args.days < 1:
            raise ValueError("--days must be at least 1")
        return business_days(args.days, today=pipeline_now().date())
    first = DAILY.start.date()
    return chosen_dates(args.start, args.end, first, local_today(args.business))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sandbox"]:
        from resources.world import simulator

        return simulator().main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command in ("erase", "deadletter"):
        return _privacy(args)
    try:
        partitions = _partitions(args)
    except ValueError as refused:
        # Argument and environment errors (dates, businesses, BACKBONE_NOW, BACKBONE_SOURCE)
        # are one line, not a traceback.
        raise SystemExit(f"backbone {args.command}: {refused}") from None
    from pipeline.app.runner import run_dates, use_home_and_businesses

    use_home_and_businesses(args.home, args.business)
    return run_dates(partitions, command=args.command)


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
