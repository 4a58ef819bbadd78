"""What Backbone may use of this simulator, found through the `backbone.worlds` entry point.

Backbone never imports this package: it looks the entry point up (pyproject.toml) and calls the
three functions below, so the simulator stays an outside world that can be left uninstalled.

- `transport(now=None)`: an httpx transport answering like Square, HubSpot and Xero, in process.
  One simulator per clock per process, so what one step writes (Xero journals) the next step
  reads. `now` is the clock the caller runs on (Backbone's BACKBONE_NOW), so the data and the
  pipeline agree; None means the simulator's own clock.
- `now(now=None)`: the simulator's clock (`now`, else BACKBONE_SANDBOX_NOW, else today 12:00
  UTC); the data is generated up to it, so a pipeline reading the simulator runs on the same
  clock.
- `main(argv)`: `serve` over real HTTP, the `backbone sandbox ...` command.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from functools import cache

import httpx

from .app import Sandbox
from .clock import resolve_now
from .faults import Faults
from .scale import Scale, apply


def _sandbox(now: datetime | None = None) -> Sandbox:
    # Keyed by the resolved clock: a caller on another clock gets a world generated up to it.
    return _sandbox_at(resolve_now(now))


@cache
def _sandbox_at(now: datetime) -> Sandbox:
    return Sandbox(now=now, faults=Faults.from_env())


def transport(now: datetime | None = None) -> httpx.BaseTransport:
    return _sandbox(now).transport()


def now(now: datetime | None = None) -> datetime:
    return resolve_now(now)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backbone sandbox", description="the vendor simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve Square, HubSpot and Xero over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    serve.add_argument("--seed", type=int, default=7)
    serve.add_argument(
        "--locations", type=int, default=None, help="locations per business (sandbox/scale.py)"
    )
    serve.add_argument(
        "--orders-per-day", type=int, default=None, help="typical orders per location-day"
    )
    serve.add_argument(
        "--faults",
        default=None,
        help='e.g. "429=3,5xx=4,slow=7:0.2,truncated=9,html=11,404=/v2/disputes,pagesize=7,'
        'malformed" (or BACKBONE_SANDBOX_FAULTS)',
    )
    args = parser.parse_args(argv)
    from .server import serve as serve_http

    faults = Faults.parse(args.faults) if args.faults else Faults.from_env()
    if args.locations or args.orders_per_day:
        apply(Scale(args.locations, args.orders_per_day))
    serve_http(Sandbox(seed=args.seed, faults=faults), host=args.host, port=args.port)
    return 0
