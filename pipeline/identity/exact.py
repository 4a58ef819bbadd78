"""Exact-key links: the same loyalty id, mailbox or phone number is the same person, unless not.

Guards against bad merges, in order:
- a key value held by more than `MAX_RECORDS_PER_KEY` records of one business is shared (a
  front-desk phone, a family inbox) and links nothing;
- two records sharing a key are not linked on positive evidence of two people: given names or
  birth dates that disagree by more than a typo, as weighed by the learned model (Mary and John
  Smith on one household email; a mother and daughter on one phone), or the other fields
  disagreeing by OUTWEIGHED_BITS between them. Typos in names or addresses never refuse a key;
- when a key is shared by different named people, records without a name cannot say whose it is
  and are not linked through it either.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.identity import scoring
from pipeline.identity.pairs import Codes, sort_codes, window_pairs

# Strongest first: a loyalty card is personal, a phone is often shared by a household.
KEYS = ("loyalty_id", "email", "phone")
MAX_RECORDS_PER_KEY = scoring.Fields.MAX_RECORDS_PER_KEY
# A shared key links nothing when the other fields' disagreements add up to this many bits
# against (4,096 times likelier two people): both names, the phone and the mailbox differ, as
# when a mistyped loyalty number is someone else's.
OUTWEIGHED_BITS = 12.0
STRENGTH = {"loyalty_id": 300.0, "email": 200.0, "phone": 100.0}


def exact_edges(
    scorer: scoring.Scorer,
) -> tuple[pd.DataFrame, dict[str, int], dict[str, dict[str, int]]]:
    """Accepted links (i < j) with rule 'exact:<key>'; per key how many values were ignored as
    shared; and per key how many pairs were refused, by reason (for run metadata)."""
    f = scorer.fields
    ev = f.ev
    codes = Codes(f.code)
    frames = []
    overused: dict[str, int] = {}
    refused: dict[str, dict[str, int]] = {}
    order = sort_codes(ev["given"])
    for key in KEYS:
        blocks = codes.blocks([key])
        overused[key] = f.overused[key]  # Fields already took them out
        i, j = window_pairs(blocks, [order], MAX_RECORDS_PER_KEY - 1)
        if len(i) == 0:
            continue
        vetoed = scorer.conflict(i, j)
        against = np.minimum(scorer.compare(i, j).contributions, 0.0).sum(axis=1)
        outweighed = ~vetoed & (against <= -OUTWEIGHED_BITS)
        two = vetoed | outweighed
        named = ev["given"].notna().to_numpy()
        disputed_blocks = np.unique(blocks[i[two]])
        disputed = np.isin(blocks[i], disputed_blocks)
        unnamed = ~two & disputed & ~(named[i] & named[j])
        keep = ~two & ~unnamed
        refused[key] = {
            "two_people": int(vetoed.sum()),
            "outweighed": int(outweighed.sum()),
            "nameless_on_disputed_key": int(unnamed.sum()),
        }
        frames.append(
            pd.DataFrame(
                {
                    "i": i[keep],
                    "j": j[keep],
                    "rule": f"exact:{key}",
                    "score": 1.0,
                    "strength": STRENGTH[key],
                }
            )
        )
    if not frames:
        empty = pd.DataFrame({"i": [], "j": [], "rule": [], "score": [], "strength": []})
        return empty.astype({"i": np.int64, "j": np.int64}), overused, refused
    edges = pd.concat(frames, ignore_index=True)
    # One edge per pair: the strongest key explains it.
    strongest = edges.sort_values(["i", "j", "strength"], ascending=[True, True, False])
    return strongest.drop_duplicates(["i", "j"]), overused, refused
