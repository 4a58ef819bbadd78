"""The `backbone` command."""

from __future__ import annotations

import argparse
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

    sandbox = sub.add_parser("sandbox", help="the vendor-shaped sandbox")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", required=True)
    serve = sandbox_sub.add_parser("serve", help="serve Square, HubSpot and Xero over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    serve.add_argument(
        "--faults",
        default=None,
        help='e.g. "429=3,5xx=4,slow=7:0.2,malformed" (or BACKBONE_SANDBOX_FAULTS)',
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        if args.days < 1:
            raise SystemExit("--days must be at least 1")
        from pipeline.demo import run_demo

        return run_demo(days=args.days, businesses=args.business, home=args.home)
    from pipeline.sandbox import Faults, Sandbox
    from pipeline.sandbox.server import serve as serve_http

    faults = Faults.parse(args.faults) if args.faults else Faults.from_env()
    serve_http(Sandbox(faults=faults), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
