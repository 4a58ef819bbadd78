"""Do customer ids survive an incremental run? The rules, checked from the outside.

A first run resolves part of the records; a second run resolves all of them with the first
result as `previous`. Issue #10's rules for the second run's ids:

- a first-run cluster whose records all stay together, with no other first-run cluster joining
  them, keeps its id (new records may join it);
- clusters that merge keep the OLDEST of their ids, the others are retired; oldest means first
  assigned (`assigned_at` when `previous` has it, else the id's first row in `previous`);
- a cluster that splits leaves its id with the part holding most of its records (a tie goes to
  the part whose cluster has the smallest record key, as the resolver breaks it); the other
  parts take ids no first-run cluster had, unless they merged into a cluster another first-run
  id rightly owns;
- a second-run cluster with no first-run owner gets an id no first-run cluster had.

`id_outcomes` works these expectations out for every second-run cluster, compares them with the
ids the resolver gave, and classifies every first-run cluster. It reads only the two results,
never the resolver's code, so the benchmark does not grade the code under test with itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CLASSES = ("kept", "merged", "split", "merged_and_split", "violation")


def add_argument(parser) -> None:
    """The benches' `--incremental [FRACTION]` option (0.6 when given bare)."""
    parser.add_argument(
        "--incremental",
        type=float,
        nargs="?",
        const=0.6,
        metavar="FRACTION",
        help="also resolve FRACTION of the records, then all with that as previous (0.6)",
    )


def sample(records: pd.DataFrame, fraction: float, seed: int) -> pd.DataFrame:
    """The first run's records: a deterministic share of them, in their original order."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    return records.sample(frac=fraction, random_state=seed).sort_index()


def _key_columns(previous: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    scoped = "business_id" in previous and "business_id" in current
    return ["business_id", "source", "source_id"] if scoped else ["source", "source_id"]


def _keyed(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    out = frame[key].astype(str)
    out["customer_id"] = frame["customer_id"].astype(str).to_numpy()
    return out.reset_index(drop=True)


def _ages(previous: pd.DataFrame) -> pd.Series:
    """Rank of each first-run id by when it was first assigned (0 = oldest)."""
    ids = previous["customer_id"].astype(str).reset_index(drop=True)
    if "assigned_at" in previous:
        stamps = pd.to_datetime(previous["assigned_at"], utc=True).reset_index(drop=True)
        first = stamps.groupby(ids).min().rename("first").reset_index()
        order = first.sort_values(["first", "customer_id"])["customer_id"]
    else:
        order = ids.drop_duplicates()  # first appearance in `previous`
    return pd.Series(np.arange(len(order)), index=order.to_numpy())


def id_outcomes(previous: pd.DataFrame, current: pd.DataFrame, examples: int = 5) -> dict:
    """Classify every first-run cluster by what its ids did in the second run.

    Both frames have source, source_id and customer_id (and business_id, if the records were
    scoped by business); `current` must hold every record of `previous`. Returns counts per
    class (`CLASSES`), `silent_id_changes` (clusters neither merged nor split whose id changed:
    the rule that must never break), `new_clusters_with_old_id` (second-run clusters of new
    records only, wearing a first-run id), `violations` (the two kinds together) and up to
    `examples` violations with their ids and record keys.
    """
    key = _key_columns(previous, current)
    prev, cur = _keyed(previous, key), _keyed(current, key)
    if prev.duplicated(key).any() or cur.duplicated(key).any():
        raise ValueError("a record key appears twice in one run")
    both = cur.merge(prev, on=key, how="left", suffixes=("", "_first"), validate="1:1")
    if both["customer_id_first"].notna().sum() != len(prev):
        raise ValueError("the second run lost records of the first")
    both = both.rename(columns={"customer_id": "now", "customer_id_first": "first"})
    old = both.dropna(subset=["first"])
    first_ids = set(prev["customer_id"])

    # Which second-run cluster each first-run id belongs to: most of its records, ties to the
    # cluster holding the smallest record key.
    smallest_key = both.sort_values(key)[["now"]].drop_duplicates("now")
    rank = pd.Series(np.arange(len(smallest_key)), index=smallest_key["now"].to_numpy())
    claims = old.groupby(["first", "now"]).size().rename("n").reset_index()
    claims["rank"] = claims["now"].map(rank)
    claims = claims.sort_values(["first", "n", "rank"], ascending=[True, False, True])
    owner = claims.drop_duplicates("first").set_index("first")["now"]

    # What each second-run cluster's id should be: the oldest id it owns, else a fresh one.
    owned = pd.DataFrame({"first": owner.index, "now": owner.to_numpy()})
    owned["age"] = owned["first"].map(_ages(previous))
    expected = owned.sort_values(["now", "age"]).drop_duplicates("now").set_index("now")["first"]
    clusters = pd.Series(both["now"].unique())
    should_be = clusters.map(expected)
    wrong = clusters[np.where(should_be.notna(), clusters != should_be, clusters.isin(first_ids))]

    # Each first-run cluster's shape, and whether every cluster its records went to is right.
    firsts_per_cluster = old.groupby("now")["first"].nunique()
    old = old.assign(
        shared=old["now"].map(firsts_per_cluster).to_numpy() > 1, wrong=old["now"].isin(wrong)
    )
    verdict = old.groupby("first").agg(
        parts=("now", "nunique"), merged=("shared", "any"), bad=("wrong", "any")
    )
    split = verdict["parts"] > 1
    verdict["shape"] = np.select(
        [verdict["merged"] & split, verdict["merged"], split],
        ["merged_and_split", "merged", "split"],
        default="kept",
    )
    verdict = verdict.reset_index()
    counts = {c: 0 for c in CLASSES}
    counts.update(verdict.loc[~verdict["bad"], "shape"].value_counts().to_dict())
    counts["violation"] = int(verdict["bad"].sum())

    new_only = set(both.loc[both["first"].isna(), "now"]) - set(old["now"])
    reused = sorted(c for c in new_only if c in first_ids)
    return {
        "first_run_clusters": len(verdict),
        "second_run_clusters": len(clusters),
        **{c: int(counts[c]) for c in CLASSES},
        "silent_id_changes": int((verdict["bad"] & (verdict["shape"] == "kept")).sum()),
        "new_clusters_with_old_id": len(reused),
        "violations": counts["violation"] + len(reused),
        "violation_examples": _examples(verdict, reused, both, key, expected, examples),
    }


def _examples(verdict, reused, both, key, expected, limit: int) -> list[dict]:
    out = []
    records_of = both.assign(record=both[key].agg(":".join, axis=1))
    for first, shape in (
        verdict.loc[verdict["bad"], ["first", "shape"]].head(limit).itertuples(index=False)
    ):
        mine = records_of[records_of["first"] == first]
        out.append(
            {
                "first_run_id": first,
                "shape": shape,
                "ids_now": sorted(mine["now"].unique()),
                "expected_ids": sorted(expected.get(c, "(a new id)") for c in mine["now"].unique()),
                "records": mine["record"].head(5).tolist(),
            }
        )
    for now in reused[: max(0, limit - len(out))]:
        mine = records_of[records_of["now"] == now]
        out.append(
            {
                "first_run_id": None,
                "shape": "new records only",
                "ids_now": [now],
                "expected_ids": ["(a new id)"],
                "records": mine["record"].head(5).tolist(),
            }
        )
    return out
