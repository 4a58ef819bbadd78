"""Fuzzy links: the backstop for records whose exact keys are missing or disagree.

Candidates come from several blocking passes (each a sorted neighbourhood, see pairs.py), so a
typo in one field still leaves another to meet on. Pairs already joined by exact keys are not
re-scored. Scoring and the verdict live in scoring.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.identity import scoring
from pipeline.identity.pairs import Codes, sort_codes, unique_pairs, window_pairs

WINDOW = 6
FUZZY_STRENGTH = 50.0  # below every exact key: a fuzzy link never outranks one


# (blocking columns, sort columns) per pass.
PASSES = [
    (["family", "postcode"], ["given"]),
    (["given", "postcode"], ["family"]),
    (["family", "given_initial"], ["postcode", "given"]),
    (["given", "family_initial"], ["family", "postcode"]),
    (["name_tokens"], ["postcode"]),
    (["email_local"], ["family"]),
    (["phone_line"], ["family"]),
    (["address"], ["family"]),
    (["family", "birth_date"], ["given"]),
]


def candidate_pairs(f: scoring.Fields, component: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs worth scoring: met in some blocking pass, not already one component."""
    codes = Codes(f.code)
    order_of: dict[str, np.ndarray] = {}
    found = []
    for block_by, sort_by in PASSES:
        blocks = codes.blocks(block_by)
        for column in sort_by:
            if column not in order_of:
                order_of[column] = sort_codes(f.ev[column])
        i, j = window_pairs(blocks, [order_of[c] for c in sort_by], WINDOW)
        different = component[i] != component[j]
        found.append((i[different], j[different]))
    return unique_pairs(found, len(f))


def fuzzy_edges(f: scoring.Fields, component: np.ndarray) -> pd.DataFrame:
    """Accepted fuzzy links with their probability and the fields that agreed."""
    i, j = candidate_pairs(f, component)
    if len(i) == 0:
        return pd.DataFrame(
            {"i": [], "j": [], "rule": [], "score": [], "strength": [], "evidence": []}
        ).astype({"i": np.int64, "j": np.int64})
    result = scoring.compare(f, i, j)
    keep = np.flatnonzero(result.accepted)
    probability = result.probability[keep]
    return pd.DataFrame(
        {
            "i": result.i[keep],
            "j": result.j[keep],
            "rule": "fuzzy",
            "score": np.round(probability, 4),
            "strength": FUZZY_STRENGTH * probability,
            "evidence": result.evidence(keep),
        }
    )
