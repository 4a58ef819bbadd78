"""How fast the simulator makes a business day, as a ratio against a floor of the same run.

A cafe day (hundreds of orders with lines, payments, refunds) is generated from scratch; the
floor is rebuilding the very same objects from a pickle, the least any generator could spend
producing them. The ratio, not the milliseconds, is the goal: it holds on a loaded CI machine
where a wall-clock limit would flake (this replaces a timed test that did).

    .venv/bin/python bench/simulator.py --days 5 [--max-ratio 50]
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
import time
from datetime import date, timedelta

from sandbox.store import World
from sandbox.world import BUSINESSES


def measure(days: int, seed: int = 11) -> dict:
    world = World(seed=seed)
    world.pool("cafe")  # the customer pool is built once per world, not per day
    location = BUSINESSES["cafe"].main_location
    generate, floor, orders = [], [], 0
    for offset in range(days):
        day = date(2026, 10, 5) + timedelta(days=offset)
        started = time.perf_counter()
        data = world.day(location, day)
        generate.append(time.perf_counter() - started)
        blob = pickle.dumps(data)
        started = time.perf_counter()
        pickle.loads(blob)
        floor.append(time.perf_counter() - started)
        orders += len(data.orders)
    gen_ms, floor_ms = statistics.median(generate) * 1000, statistics.median(floor) * 1000
    return {
        "days": days,
        "orders_per_day": orders / days,
        "generate_ms_per_day": round(gen_ms, 2),
        "floor_ms_per_day": round(floor_ms, 3),
        "ratio": round(gen_ms / floor_ms, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--max-ratio", type=float, default=50.0, help="fail above this ratio")
    args = parser.parse_args(argv)
    result = measure(args.days)
    print(json.dumps(result))
    if args.max_ratio is not None and result["ratio"] > args.max_ratio:
        print(f"ratio {result['ratio']} is over {args.max_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
