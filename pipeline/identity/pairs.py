"""Candidate pairs: which records are worth comparing at all.

Comparing every record with every other is quadratic. Records are instead grouped by a blocking
key and sorted within each block; each record meets only its next `window` neighbours (sorted
neighbourhood), so the cost is linear in the number of records whatever the block sizes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


class Codes:
    """Integer codes of evidence columns (-1 = missing), combined numerically into blocks."""

    def __init__(self, codes: dict[str, np.ndarray]) -> None:
        self._codes = codes

    def __getitem__(self, column: str) -> np.ndarray:
        return self._codes[column].astype(np.int64, copy=False)

    def blocks(self, columns: Sequence[str]) -> np.ndarray:
        """An integer per distinct (scope, *columns); -1 where any column is missing."""
        combined = self["scope"].copy()
        present = np.ones(len(combined), dtype=bool)
        for column in columns:
            codes = self[column]
            present &= codes >= 0
            pair = combined * (int(codes.max(initial=0)) + 1) + np.maximum(codes, 0)
            combined = pd.factorize(pair)[0].astype(np.int64)
        return np.where(present, combined, -1)


def window_pairs(
    blocks: np.ndarray, order: Sequence[np.ndarray], window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) of records in the same block at most `window` apart in `order`."""
    members = np.flatnonzero(blocks >= 0)
    if len(members) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    keys = [key[members] for key in reversed(order)] + [blocks[members]]
    ranked = members[np.lexsort(keys)]
    lefts, rights = [], []
    for offset in range(1, window + 1):
        if offset >= len(ranked):
            break
        a, b = ranked[:-offset], ranked[offset:]
        same = blocks[a] == blocks[b]
        if not same.any():
            break
        lefts.append(a[same])
        rights.append(b[same])
    if not lefts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a, b = np.concatenate(lefts), np.concatenate(rights)
    return np.minimum(a, b), np.maximum(a, b)


def block_sizes(blocks: np.ndarray) -> np.ndarray:
    """Per record, how many records share its block (0 where it has none)."""
    sizes = np.zeros(len(blocks), dtype=np.int64)
    present = blocks >= 0
    if present.any():
        counts = np.bincount(blocks[present])
        sizes[present] = counts[blocks[present]]
    return sizes


def unique_pairs(
    pairs: Sequence[tuple[np.ndarray, np.ndarray]], size: int
) -> tuple[np.ndarray, np.ndarray]:
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    flat = np.sort(np.concatenate([a * size + b for a, b in pairs]))
    flat = flat[np.concatenate([[True], flat[1:] != flat[:-1]])] if len(flat) else flat
    return flat // size, flat % size


def sort_codes(values: pd.Series) -> np.ndarray:
    """Sortable integer codes of a text column (missing sorts last)."""
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    codes = codes.astype(np.int64)
    codes[codes < 0] = len(uniques)
    return codes
