"""How fast the pipeline is at scale, each stage beside a floor measured in the same run.

    .venv/bin/python bench/pipeline.py --locations 50 --orders-per-day 300 --days 1 \\
        --sizes 4,40,400 --json docs/benchmarks/pipeline-main.json

1. End to end: `backbone run` for the dates (`--days` ending 2026-11-19, clock 2026-11-20 12:00
   UTC) over the simulator scaled to `--locations` cafes of `--orders-per-day` typical orders
   (sandbox/scale.py): extract over httpx, models, posting, write-back, CRM, exports; wall time
   and peak memory of that process.
2. SQL stages, once per `--sizes` entry (how many copies of that run's raw Square records; see
   bench/pipeline_stages.py): staging, core and marts rebuilt by pipeline.store.sql_models and
   the day posted by post_business_day, each timed beside its floor (bench/pipeline_floors.py),
   the result checked equal, rows/s and the ratio reported; then how time grows with rows.

Every measurement is a fresh subprocess (`python -m bench.pipeline _e2e|_stages`), so peak
memory (ru_maxrss) is that size's alone. `--profile` adds cProfile's top entries of the end-to-end
run and of the smallest size's stages (a separate, unmeasured run). Ratios, not seconds, are the
goals (bench/README.md): the machine may be shared.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: the bench package beside the pipeline's
    sys.path.insert(0, str(REPO))

from bench.pipeline_world import NOW, Shape  # noqa: E402

STAGES = ("staging", "core", "posting", "marts")


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _top(profile: cProfile.Profile, n: int = 25) -> list[str]:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(n)
    return [line for line in out.getvalue().splitlines() if line.strip()][-n - 1 :]


class _SimulatorClock:
    """Seconds spent inside the simulator's request handler: the vendors' side of the run.

    A real Square, HubSpot or Xero answers from its own servers; here the simulator builds
    every answer in this process (generating the day's orders, payouts and ledger), so the
    wall time of a run is ours plus theirs, and `pipeline_s` is ours alone."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def install(self) -> None:
        from sandbox.app import Sandbox

        handle = Sandbox.handle

        def timed(sandbox, request):
            started = time.perf_counter()
            try:
                return handle(sandbox, request)
            finally:
                self.seconds += time.perf_counter() - started

        Sandbox.handle = timed


def _child_e2e(args: argparse.Namespace) -> dict:
    from bench.pipeline_world import prepare, run_pipeline

    shape = Shape(args.locations, args.orders_per_day, args.days, args.business)
    prepare(shape, Path(args.home))
    first, _ = shape.dates
    warm_s = None
    if args.warm_days:
        # A daily run after the first: HubSpot, Xero and the identity graph already hold the
        # earlier days, so it syncs what changed, as the schedule does every morning.
        warm = (first - timedelta(days=args.warm_days), first - timedelta(days=1))
        started = time.perf_counter()
        if run_pipeline(shape, Path(args.home), warm) != 0:
            raise SystemExit("bench: the warm-up run failed")
        warm_s = round(time.perf_counter() - started, 2)
    profile = cProfile.Profile() if args.profile else None
    simulator = _SimulatorClock()
    simulator.install()
    started = time.perf_counter()
    if profile:
        profile.enable()
    rc = run_pipeline(shape, Path(args.home))
    if profile:
        profile.disable()
    wall = time.perf_counter() - started
    import duckdb

    con = duckdb.connect(str(Path(args.home) / "warehouse.duckdb"), read_only=True)
    # The measured dates' own orders (a warm-up's stay in the warehouse, and in the template).
    day = "WHERE business_date >= ?"
    lines = con.execute(
        f"SELECT count(*) FROM staging.stg_square__order_lines {day}", [first]
    ).fetchone()[0]
    orders = con.execute(
        f"SELECT count(*) FROM staging.stg_square__orders {day}", [first]
    ).fetchone()[0]
    con.close()
    result = {
        "exit_status": rc,
        "warm_days": args.warm_days,
        "warm_up_s": warm_s,
        "wall_s": round(wall, 2),
        "simulator_s": round(simulator.seconds, 2),
        "pipeline_s": round(wall - simulator.seconds, 2),
        "peak_rss_mb": _peak_mb(),
        "orders": int(orders),
        "order_lines": int(lines),
    }
    if profile:
        result["profile_top"] = _top(profile)
    return result


def _child_stages(args: argparse.Namespace) -> dict:
    from bench.pipeline_stages import measure

    now = datetime.fromisoformat(NOW.replace("Z", "+00:00"))
    profile = cProfile.Profile() if args.profile else None
    if profile:
        profile.enable()
    result = measure(
        Path(args.template),
        Path(args.workdir),
        args.copies,
        args.business,
        now,
        posting=not args.no_posting,
        memory_limit=args.memory_limit,
    )
    if profile:
        profile.disable()
        result["profile_top"] = _top(profile)
    result["peak_rss_mb"] = _peak_mb()
    return result


def _spawn(mode: str, args: argparse.Namespace, extra: list[str]) -> dict:
    """One measurement in a fresh interpreter; its JSON comes back through a file."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    argv = [
        sys.executable,
        "-m",
        "bench.pipeline",
        mode,
        "--locations",
        str(args.locations),
        "--orders-per-day",
        str(args.orders_per_day),
        "--days",
        str(args.days),
        "--business",
        args.business,
        "--result",
        str(out),
        *extra,
    ]
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=REPO, stdout=subprocess.DEVNULL if args.quiet else None, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: {mode} failed with exit status {done.returncode}")
    result = json.loads(out.read_text())
    out.unlink()
    result["process_s"] = round(time.perf_counter() - started, 2)
    return result


def _scaling(sizes: list[dict]) -> list[dict]:
    """How each stage's time grew against its rows, size to size (goal: 10x rows <= 11x time)."""
    steps = []
    for small, big in itertools.pairwise(sizes):
        rows = big["order_lines"] / small["order_lines"]
        step = {"from_lines": small["order_lines"], "to_lines": big["order_lines"]}
        step["rows_x"] = round(rows, 2)
        for stage in STAGES:
            a, b = small["stages"].get(stage, {}), big["stages"].get(stage, {})
            if a.get("stage_s") and b.get("stage_s"):
                step[f"{stage}_time_x"] = round(b["stage_s"] / a["stage_s"], 2)
        steps.append(step)
    return steps


def run(args: argparse.Namespace) -> dict:
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-pipeline-"))
    home = work / "e2e"
    report: dict = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "date": date.today().isoformat(),
        "shape": {
            "locations": args.locations,
            "orders_per_day": args.orders_per_day,
            "days": args.days,
            "business": args.business,
        },
    }
    if args.template:  # the stages only, over an earlier end-to-end run's warehouse
        template = args.template
    else:
        extra = ["--home", str(home), "--warm-days", str(args.warm_days)]
        extra += ["--profile"] if args.profile else []
        report["end_to_end"] = _spawn("_e2e", args, extra)
        template = str(home / "warehouse.duckdb")
    measured: list[dict] = []
    for copies in sizes:
        extra = ["--template", template, "--copies", str(copies)]
        extra += ["--workdir", str(work / f"x{copies}")]
        extra += ["--memory-limit", args.memory_limit] if args.memory_limit else []
        if measured and _posting_projection(measured[-1], copies) > args.posting_budget:
            extra.append("--no-posting")
        measured.append(_spawn("_stages", args, extra))
        (work / f"x{copies}" / "warehouse.duckdb").unlink(missing_ok=True)
        print(json.dumps(_brief(measured[-1])), flush=True)
    report["sizes"] = measured
    report["scaling"] = _scaling(measured)
    if args.profile:
        extra = ["--template", template, "--copies", str(sizes[0]), "--profile"]
        profiled = _spawn("_stages", args, [*extra, "--workdir", str(work / "profile")])
        report["stages_profile_top"] = profiled.get("profile_top")
    return report


def _posting_projection(previous: dict, copies: int) -> float:
    """Seconds the posting would take at `copies`, growing linearly from the last size."""
    posted = previous["stages"].get("posting", {}).get("stage_s")
    return posted * copies / previous["copies"] if posted else float("inf")


def _brief(size: dict) -> dict:
    return {
        "copies": size["copies"],
        "order_lines": size["order_lines"],
        "peak_rss_mb": size["peak_rss_mb"],
        **{
            stage: {k: v for k, v in size["stages"][stage].items() if k in ("ratio", "agree")}
            for stage in STAGES
        },
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="run", choices=("run", "_e2e", "_stages"))
    parser.add_argument("--locations", type=int, default=50, help="locations of the business")
    parser.add_argument("--orders-per-day", type=int, default=300, help="per location")
    parser.add_argument("--days", type=int, default=1, help="business dates ending 2026-11-19")
    parser.add_argument("--business", default="cafe", help="the business the bench scales")
    parser.add_argument(
        "--sizes", default="4,40,400", help="copies of the end-to-end run's raw records"
    )
    parser.add_argument(
        "--warm-days", type=int, default=0, help="days run first, untimed (a daily run's state)"
    )
    parser.add_argument("--memory-limit", default=None, help="DuckDB's, e.g. 6GB (shared hosts)")
    parser.add_argument("--posting-budget", type=float, default=900.0, help="seconds; beyond it")
    parser.add_argument("--json", type=Path, default=None, help="write the report here")
    parser.add_argument("--workdir", default=None, help="default: a new temporary directory")
    parser.add_argument("--profile", action="store_true", help="cProfile's top entries")
    parser.add_argument("--quiet", action="store_true", help="hide the pipeline's own output")
    # The children's own arguments.
    parser.add_argument("--result", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--home", default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--template", default=None, help="skip the end-to-end run: an earlier run's warehouse"
    )
    parser.add_argument("--copies", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--no-posting", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.mode != "run":
        child = _child_e2e if args.mode == "_e2e" else _child_stages
        Path(args.result).write_text(json.dumps(child(args)))
        return 0
    report = run(args)
    text = json.dumps(report, indent=2)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    print(json.dumps({"end_to_end": report.get("end_to_end"), "scaling": report["scaling"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
