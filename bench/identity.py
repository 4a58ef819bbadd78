"""Identity-resolution benchmark: quality, wall time and peak memory on labelled records.

    python bench/identity.py --sizes 10000,100000,1000000 [--seed 7] [--json out.json]
                             [--incremental [FRACTION]] [--resolver module:function]

For each size: generate labelled records (bench/identity_data.py), hand the resolver the input
columns only, and score its customer_id against the true person:

- pairwise precision / recall / F1 over record pairs put in one cluster, from contingency counts
  (never enumerating pairs, so 1M records is cheap);
- cluster precision / recall / F1, where a predicted cluster is right only if it is exactly a true
  person's set of records.

Each resolver call runs in a fresh subprocess so its peak memory is its own: the process's RSS
high-water mark (`ru_maxrss`) after the call, which includes the interpreter, pandas and the
input frame; the RSS just before the call is reported as the baseline. Only the resolver call
is timed; generation time is reported separately.

`--incremental FRACTION` (0.6 when given bare) also runs the resolver on a deterministic FRACTION
of the records, then on all of them with that result as `previous`, and classifies every
first-run cluster as kept, merged, split or a violation of the id rules (bench/incremental.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.identity_data import (  # noqa: E402
    INPUT_COLUMNS,
    PROFILES,
    evidence_reach,
    exact_key_reach,
    generate,
)
from bench.incremental import add_argument as add_incremental_argument  # noqa: E402
from bench.incremental import id_outcomes, sample  # noqa: E402

DEFAULT_RESOLVER = "pipeline.identity:resolve_identities"


# --- metrics ------------------------------------------------------------------------------------


def _pairs(sizes: np.ndarray) -> int:
    sizes = np.asarray(sizes, dtype=np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def _ratio(num: int, den: int) -> float:
    # No predicted pairs means no wrong pair: precision is vacuously perfect (likewise recall).
    return num / den if den else 1.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def contingency(true_labels, pred_labels) -> pd.DataFrame:
    """One row per non-empty (true cluster, predicted cluster) cell: n, true_size, pred_size."""
    t, _ = pd.factorize(pd.Series(true_labels), use_na_sentinel=False)
    p, _ = pd.factorize(pd.Series(pred_labels), use_na_sentinel=False)
    if len(t) != len(p):
        raise ValueError("true and predicted labels differ in length")
    true_size = np.bincount(t)
    pred_size = np.bincount(p)
    width = int(p.max()) + 1 if len(p) else 1
    cells, n = np.unique(t.astype(np.int64) * width + p, return_counts=True)
    ti, pi = cells // width, cells % width
    return pd.DataFrame(
        {"true": ti, "pred": pi, "n": n, "true_size": true_size[ti], "pred_size": pred_size[pi]}
    )


def scores(true_labels, pred_labels) -> dict[str, float | int]:
    """Pairwise and cluster precision, recall and F1 of a clustering against the truth."""
    cells = contingency(true_labels, pred_labels)
    true_sizes = cells.groupby("true")["true_size"].first().to_numpy()
    pred_sizes = cells.groupby("pred")["pred_size"].first().to_numpy()
    tp = _pairs(cells["n"].to_numpy())
    true_pairs, pred_pairs = _pairs(true_sizes), _pairs(pred_sizes)
    exact = int(((cells["n"] == cells["true_size"]) & (cells["n"] == cells["pred_size"])).sum())
    pair_p, pair_r = _ratio(tp, pred_pairs), _ratio(tp, true_pairs)
    cluster_p, cluster_r = _ratio(exact, len(pred_sizes)), _ratio(exact, len(true_sizes))
    return {
        "records": int(cells["n"].sum()),
        "true_clusters": len(true_sizes),
        "predicted_clusters": len(pred_sizes),
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
        "true_positive_pairs": tp,
        "pair_precision": pair_p,
        "pair_recall": pair_r,
        "pair_f1": _f1(pair_p, pair_r),
        "exact_clusters": exact,
        "cluster_precision": cluster_p,
        "cluster_recall": cluster_r,
        "cluster_f1": _f1(cluster_p, cluster_r),
        # Where the errors are: predicted clusters fusing 2+ people, people split 2+ ways.
        "merged_clusters": int((cells.groupby("pred").size() > 1).sum()),
        "split_people": int((cells.groupby("true").size() > 1).sum()),
        "largest_cluster": int(pred_sizes.max()) if len(pred_sizes) else 0,
    }


# --- running the resolver in its own process ------------------------------------------------------


def run_meta(command: str, argv: list[str] | None, **extra) -> dict:
    """What a benchmark's JSON records about its run: the command, the machine, and `extra`."""
    return {
        "command": " ".join([command, *(argv if argv is not None else sys.argv[1:])]),
        **extra,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def rss_kb() -> int:
    """This process's resident memory now, in kB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _worker(job: Path, out: Path) -> None:
    with job.open("rb") as f:
        task = pickle.load(f)  # our own temp file, written by the parent a moment ago
    module, _, name = task["resolver"].partition(":")
    resolve = getattr(importlib.import_module(module), name)
    records, previous = task["records"], task["previous"]
    del task
    baseline = rss_kb()
    started = time.perf_counter()
    result = resolve(records) if previous is None else resolve(records, previous=previous)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    with out.open("wb") as f:
        pickle.dump(
            {
                "result": result,
                "seconds": seconds,
                "peak_rss_kb": peak,
                "baseline_rss_kb": baseline,
            },
            f,
            protocol=pickle.HIGHEST_PROTOCOL,
        )


class Timeout(Exception):
    pass


def run_resolver(
    records: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    resolver: str = DEFAULT_RESOLVER,
    timeout: float | None = None,
) -> dict:
    """The resolver's result, wall seconds and peak RSS, from a fresh subprocess."""
    with tempfile.TemporaryDirectory(prefix="identity-bench-") as tmp:
        job, out = Path(tmp) / "job.pkl", Path(tmp) / "out.pkl"
        with job.open("wb") as f:
            task = {"records": records, "previous": previous, "resolver": resolver}
            pickle.dump(task, f, protocol=pickle.HIGHEST_PROTOCOL)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(job), str(out)]
        try:
            subprocess.run(cmd, check=True, timeout=timeout, cwd=ROOT)
        except subprocess.TimeoutExpired as exc:
            raise Timeout(f"resolver took over {timeout:.0f} s") from exc
        with out.open("rb") as f:
            return pickle.load(f)


# --- the benchmark ------------------------------------------------------------------------------


def measure(
    size: int,
    seed: int,
    resolver: str = DEFAULT_RESOLVER,
    incremental: float | None = None,
    timeout: float | None = None,
    profile: str = "pos",
) -> dict:
    started = time.perf_counter()
    frame = generate(size, seed, PROFILES[profile])
    row: dict = {
        "size": size,
        "seed": seed,
        "profile": profile,
        "generate_seconds": time.perf_counter() - started,
    }
    row.update(exact_key_reach(frame))
    row.update(evidence_reach(frame))
    records = frame[INPUT_COLUMNS]
    try:
        run = run_resolver(records, resolver=resolver, timeout=timeout)
    except Timeout as exc:
        row["error"] = str(exc)
        return row
    result = run["result"]
    if len(result) != len(records):
        raise RuntimeError(f"resolver returned {len(result)} rows for {len(records)} records")
    labelled = records[["source", "source_id"]].assign(person_id=frame["person_id"].to_numpy())
    joined = labelled.merge(
        result[["source", "source_id", "customer_id"]], on=["source", "source_id"], how="left"
    )
    if joined["customer_id"].isna().any():
        raise RuntimeError("resolver output is missing input records")
    row.update(scores(joined["person_id"], joined["customer_id"]))
    row["merged_within_household"] = _merged_within_household(
        joined["customer_id"], joined["person_id"], frame["household_id"].to_numpy()
    )
    row["resolve_seconds"] = run["seconds"]
    row["peak_rss_mb"] = run["peak_rss_kb"] / 1024
    row["baseline_rss_mb"] = run["baseline_rss_kb"] / 1024
    if "match_rule" in result:
        row["match_rules"] = result["match_rule"].value_counts().to_dict()
    if incremental is not None:
        try:
            first = run_resolver(sample(records, incremental, seed), None, resolver, timeout)
            second = run_resolver(records, first["result"], resolver, timeout)
        except Timeout as exc:
            row["incremental_error"] = str(exc)
            return row
        row["incremental"] = {
            "fraction": incremental,
            **id_outcomes(first["result"], second["result"]),
            **_changes_against_truth(first["result"], second["result"], labelled),
            "first_seconds": first["seconds"],
            "second_seconds": second["seconds"],
        }
    return row


def _changes_against_truth(first: pd.DataFrame, second: pd.DataFrame, labelled) -> dict:
    """Whether the second run was right to split or merge first-run clusters.

    The id rules allow any split or merge; this says which were wrong by the truth: a split of a
    first-run cluster that held one person only, a merge of first-run clusters of different
    people.
    """
    key = ["source", "source_id"]
    both = (
        first[[*key, "customer_id"]]
        .merge(second[[*key, "customer_id"]], on=key, suffixes=("_first", "_second"))
        .merge(labelled, on=key)
    )
    per_first = both.groupby("customer_id_first").agg(
        parts=("customer_id_second", "nunique"), people=("person_id", "nunique")
    )
    per_second = both.groupby("customer_id_second").agg(
        firsts=("customer_id_first", "nunique"), people=("person_id", "nunique")
    )
    return {
        "splits_of_one_person": int(((per_first["parts"] > 1) & (per_first["people"] == 1)).sum()),
        "merges_across_people": int(
            ((per_second["firsts"] > 1) & (per_second["people"] > 1)).sum()
        ),
    }


def _merged_within_household(cluster, person, household) -> int:
    """Over-merged clusters whose people all live in one household (the designed hard case)."""
    df = pd.DataFrame({"c": np.asarray(cluster), "p": np.asarray(person), "h": household})
    per = df.groupby("c").agg(people=("p", "nunique"), homes=("h", "nunique"), lone=("h", "min"))
    return int(((per["people"] > 1) & (per["homes"] == 1) & (per["lone"] >= 0)).sum())


def _table(rows: list[dict]):
    from rich.table import Table

    quality = Table(title="Identity resolution: quality")
    for col in ["records", "pair P", "pair R", "pair F1", "cluster P", "cluster R", "cluster F1"]:
        quality.add_column(col, justify="right")
    for col in ["merged (household)", "split", "exact-key reach", "evidence reach", "id rules"]:
        quality.add_column(col, justify="right")
    perf = Table(title="Identity resolution: cost")
    for col in ["records", "generate s", "resolve s", "records/s", "peak RSS MB", "baseline MB"]:
        perf.add_column(col, justify="right")
    for r in rows:
        if "error" in r:
            quality.add_row(
                f"{r['size']:,}",
                *["—"] * 6,
                "",
                "",
                f"{r['exact_key_pair_recall']:.3f}",
                f"{r['evidence_pair_recall']:.3f}",
                "",
            )
            perf.add_row(f"{r['size']:,}", f"{r['generate_seconds']:.1f}", r["error"], "", "", "")
            continue
        ids = r.get("incremental")
        quality.add_row(
            f"{r['records']:,}",
            *(
                f"{r[k]:.4f}"
                for k in (
                    "pair_precision",
                    "pair_recall",
                    "pair_f1",
                    "cluster_precision",
                    "cluster_recall",
                    "cluster_f1",
                )
            ),
            f"{r['merged_clusters']:,} ({r['merged_within_household']:,})",
            f"{r['split_people']:,}",
            f"{r['exact_key_pair_recall']:.3f}",
            f"{r['evidence_pair_recall']:.3f}",
            "" if ids is None else f"{ids['violations']:,} broken / {ids['first_run_clusters']:,}",
        )
        perf.add_row(
            f"{r['records']:,}",
            f"{r['generate_seconds']:.1f}",
            f"{r['resolve_seconds']:.1f}",
            f"{r['records'] / r['resolve_seconds']:,.0f}",
            f"{r['peak_rss_mb']:,.0f}",
            f"{r['baseline_rss_mb']:,.0f}",
        )
    return quality, perf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--profile", choices=sorted(PROFILES), default="pos", help="noise profile (bench/README.md)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    add_incremental_argument(parser)
    parser.add_argument("--resolver", default=DEFAULT_RESOLVER, help="module:function")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per resolver run")
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(*args.worker)
        return 0

    from rich.console import Console

    console = Console(width=max(132, Console().width))
    rows = []
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        console.print(f"[dim]{size:,} records…[/dim]")
        rows.append(
            measure(size, args.seed, args.resolver, args.incremental, args.timeout, args.profile)
        )
    for table in _table(rows):
        console.print(table)
    console.print(
        "[dim]merged: predicted clusters holding 2+ people (in brackets: all of one household); "
        "split: people spread over 2+ clusters; exact-key reach: share of true pairs that "
        "shared email/phone/loyalty keys can connect; evidence reach: the same plus street "
        "address and birth date, all a resolver that never links on names alone can reach; "
        "id rules: first-run clusters (and new clusters) whose ids broke the rules of an "
        "incremental run, of all first-run clusters (bench/incremental.py). Peak RSS: the resolver "
        "process's high-water mark, baseline: its RSS just before the call.[/dim]"
    )
    if args.json:
        meta = run_meta("python bench/identity.py", argv, resolver=args.resolver)
        args.json.write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
