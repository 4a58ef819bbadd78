"""Fuzzy links: the backstop for records whose exact keys are missing or disagree.

Candidates come from several blocking passes (each a sorted neighbourhood, see pairs.py), so a
typo in one field still leaves another to meet on. Pairs already joined by exact keys are not
re-scored. Scoring and the verdict live in scoring.py, the learned weights in model.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.identity import scoring
from pipeline.identity.pairs import Codes, sort_codes, unique_pairs, window_pairs

WINDOW = 4
# The estimated share of a business's fuzzy links that are right, which picks its threshold:
# links are taken most probable first while their mean match probability stays at the target.
PRECISION_TARGET = 0.995
# Never below even odds: a pair the model finds likelier two people is never linked.
MIN_PROBABILITY = 0.9
FUZZY_STRENGTH = 50.0  # below every exact key: a fuzzy link never outranks one


# (blocking columns, sort columns) per pass. A sorted neighbourhood over a column that many records
# lack would pair those records at random: `has_address` keeps the street pass to records with one.
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
    # Names too garbled to meet on: the person's birth date, or their street.
    (["birth_date"], ["family"]),
    (["postcode", "has_address"], ["address"]),
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


def accepted(result: scoring.Comparison, scope: np.ndarray) -> np.ndarray:
    """Eligible pairs above their business's threshold (see PRECISION_TARGET)."""
    probability = result.probability
    candidate = np.flatnonzero(result.eligible & (probability >= MIN_PROBABILITY))
    frame = pd.DataFrame({"scope": scope[result.i[candidate]], "p": probability[candidate]})
    frame = frame.sort_values(["scope", "p"], ascending=[True, False], kind="stable")
    groups = frame.groupby("scope", sort=False)["p"]
    mean_so_far = groups.cumsum() / (groups.cumcount() + 1)
    # Mean of a descending list only falls: the prefix holding the target is what passes.
    passing = frame.index[mean_so_far.to_numpy() >= PRECISION_TARGET]
    out = np.zeros(len(probability), dtype=bool)
    out[candidate[passing]] = True
    return out


def fuzzy_edges(scorer: scoring.Scorer, component: np.ndarray) -> pd.DataFrame:
    """Accepted fuzzy links with their probability and the fields that agreed."""
    i, j = candidate_pairs(scorer.fields, component)
    if len(i) == 0:
        return pd.DataFrame(
            {"i": [], "j": [], "rule": [], "score": [], "strength": [], "evidence": []}
        ).astype({"i": np.int64, "j": np.int64})
    result = scorer.compare(i, j, floor=MIN_PROBABILITY)
    keep = np.flatnonzero(accepted(result, scorer.fields.code["scope"]))
    probability = result.probability[keep]
    return pd.DataFrame(
        {
            "i": result.i[keep],
            "j": result.j[keep],
            "rule": "fuzzy",
            # Shown to 4 places, and a fuzzy link is never shown as certain.
            "score": np.minimum(np.round(probability, 4), 0.9999),
            "strength": FUZZY_STRENGTH * probability,
            "evidence": result.evidence(keep),
        }
    )
