"""Customer ids that do not move: a record keeps its id run after run.

When clusters merge, the survivor keeps the oldest id (by when it was first assigned); when a
cluster splits, the id stays with the part holding most of its records. A brand-new cluster gets
an id derived from its scope and its smallest record key, so a rebuild from scratch is
deterministic.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd


def _hashed(scope: str, anchor: str, salt: int) -> str:
    digest = hashlib.sha256(f"{scope}|{anchor}|{salt}".encode()).hexdigest()[:16]
    return f"cus_{digest}"


def _ages(previous: pd.DataFrame) -> pd.Series:
    if "assigned_at" in previous:
        stamps = pd.to_datetime(previous["assigned_at"], utc=True)
        return stamps.groupby(previous["customer_id"]).min().rank(method="first")
    first_seen = pd.Series(np.arange(len(previous)), index=previous.index)
    return first_seen.groupby(previous["customer_id"]).min().astype(float)


def assign(records: pd.DataFrame, labels: np.ndarray, previous: pd.DataFrame | None) -> np.ndarray:
    """customer_id per record. `records` has scope, source, source_id (strings), sorted by key;
    `labels` is each record's cluster, named by the position of the cluster's first record."""
    frame = records[["scope", "source", "source_id"]].copy()
    frame["label"] = labels
    frame["prev_id"] = None
    age = pd.Series(dtype=float)
    if previous is not None and not previous.empty:
        prev = pd.DataFrame(
            {
                "scope": (
                    previous["business_id"].astype(str)
                    if "business_id" in previous
                    else pd.Series("", index=previous.index)
                ),
                "source": previous["source"].astype(str),
                "source_id": previous["source_id"].astype(str),
                "prev_id": previous["customer_id"].astype(str),
            }
        ).drop_duplicates(["scope", "source", "source_id"])
        frame = frame.drop(columns="prev_id").merge(
            prev, on=["scope", "source", "source_id"], how="left"
        )
        age = _ages(previous)

    held = frame.dropna(subset=["prev_id"])
    owner = pd.Series(dtype=np.int64)
    if not held.empty:
        claims = held.groupby(["prev_id", "label"]).size().rename("n").reset_index()
        claims = claims.sort_values(["prev_id", "n", "label"], ascending=[True, False, True])
        owner = claims.drop_duplicates("prev_id").set_index("prev_id")["label"]
    owned = pd.DataFrame({"prev_id": owner.index, "label": owner.to_numpy()})
    owned["age"] = owned["prev_id"].map(age).fillna(np.inf)
    owned = owned.sort_values(["label", "age", "prev_id"]).drop_duplicates("label")
    label_id = dict(zip(owned["label"], owned["prev_id"], strict=True))

    taken = set(held["prev_id"]) if not held.empty else set()
    fresh = np.setdiff1d(np.unique(labels), np.fromiter(label_id, dtype=np.int64))
    if len(fresh):
        # A cluster's label is its first record in key order: that record is its anchor.
        anchors = (frame["source"] + ":" + frame["source_id"]).to_numpy()[fresh]
        scopes = frame["scope"].to_numpy()[fresh]
        for label, anchor, scope in zip(fresh, anchors, scopes, strict=True):
            salt = 0
            candidate = _hashed(scope, anchor, salt)
            while candidate in taken:
                salt += 1
                candidate = _hashed(scope, anchor, salt)
            taken.add(candidate)
            label_id[label] = candidate
    return frame["label"].map(label_id).to_numpy(dtype=object)
