"""From links to people: connected components, with cannot-link rules enforced.

Links are transitive, so a chain (Mary - nameless record - John) can still fuse two people whom no
single link joined. Any component holding a pair that cannot be one person (given names or
birth dates that say two people, see scoring.veto; a force-split override) is rebuilt by adding
its links strongest first and skipping any link that would unite such a pair. Force-links go
first and always; a force-link that contradicts a force-split is an error in the overrides file.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipeline.identity import scoring


class OverrideConflictError(ValueError):
    """A force-link and a force-split in identity_overrides.csv contradict each other."""


def components(size: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Component label per record; labels are the smallest record index in the component."""
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    smallest = np.full(labels.max() + 1 if size else 0, size, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(size))
    return smallest[labels]


def _pairs_within(labels: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.DataFrame({"label": labels[members], "row": members})
    joined = frame.merge(frame, on="label")
    joined = joined[joined["row_x"] < joined["row_y"]]
    return joined["row_x"].to_numpy(), joined["row_y"].to_numpy()


def cluster(
    scorer: scoring.Scorer, edges: pd.DataFrame, splits: list[tuple[int, int, str]]
) -> np.ndarray:
    """Final cluster label per record (smallest record index in the cluster).

    `edges` has i, j, strength and forced; `splits` holds (i, j, why) force-split pairs.
    """
    size = len(scorer)
    labels = components(size, edges["i"].to_numpy(), edges["j"].to_numpy())
    sizes = np.bincount(labels, minlength=size)
    crowded = np.flatnonzero(sizes[labels] >= 3)
    soft_i, soft_j = _pairs_within(labels, crowded)
    vetoed = scorer.conflict(soft_i, soft_j)
    soft_i, soft_j = soft_i[vetoed], soft_j[vetoed]
    hard = [(a, b, why) for a, b, why in splits if labels[a] == labels[b]]
    troubled = set(labels[soft_i]) | {labels[a] for a, _, _ in hard}
    if not troubled:
        return labels

    soft: dict[int, set[int]] = defaultdict(set)
    for a, b in zip(soft_i, soft_j, strict=True):
        soft[int(a)].add(int(b))
        soft[int(b)].add(int(a))
    hard_map: dict[int, dict[int, str]] = defaultdict(dict)
    for a, b, why in hard:
        hard_map[a][b] = why
        hard_map[b][a] = why

    edge_labels = labels[edges["i"].to_numpy()]
    inside = edges[np.isin(edge_labels, list(troubled))]
    ordered = inside.sort_values(
        ["forced", "strength", "i", "j"], ascending=[False, False, True, True]
    )
    result = labels.copy()
    parent: dict[int, int] = {}
    members: dict[int, set[int]] = {}
    for node in np.flatnonzero(np.isin(labels, list(troubled))):
        parent[int(node)] = int(node)
        members[int(node)] = {int(node)}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, forced in ordered[["i", "j", "forced"]].itertuples(index=False):
        ra, rb = find(int(a)), find(int(b))
        if ra == rb:
            continue
        small, large = sorted((members[ra], members[rb]), key=len)
        clash = next(((x, y) for x in small for y in hard_map.get(x, {}) if y in large), None)
        if clash is not None:
            if forced:
                raise OverrideConflictError(
                    f"force-link joins records {clash[0]} and {clash[1]}, which "
                    f"{hard_map[clash[0]][clash[1]]} keeps apart"
                )
            continue
        if not forced and any(y in large for x in small for y in soft.get(x, ())):
            continue
        keep, gone = (ra, rb) if ra < rb else (rb, ra)
        parent[gone] = keep
        members[keep] |= members.pop(gone)
    for group in members.values():
        label = min(group)
        for node in group:
            result[node] = label
    return result
