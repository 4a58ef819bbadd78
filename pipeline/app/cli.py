"""The `backbone` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _businesses(value: str) -> list[str]:
    return [b.strip() for b in value.split(",") if b.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backbone", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="materialize the last N business days end to end")
    demo.add_argument("--days", type=int, default=14)
    demo.add_argument(
        "--business",
        type=_businesses,
        default=None,
        help="comma list, e.g. cafe,boutique,studio (default: all)",
    )
    demo.add_argument("--home", type=Path, default=None, help="BACKBONE_HOME (default ./.backbone)")

    # The simulator parses its own arguments (`backbone sandbox serve --help`).
    sub.add_parser("sandbox", help="the vendor simulator: `backbone sandbox serve [--port N]`")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sandbox"]:
        from resources.world import simulator

        return simulator().main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.days < 1:
        raise SystemExit("--days must be at least 1")
    from pipeline.app.demo import run_demo

    return run_demo(days=args.days, businesses=args.business, home=args.home)


if __name__ == "__main__":
    raise SystemExit(main())
