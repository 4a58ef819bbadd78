"""When two given names may belong to one person: same, a nickname, a typo or an initial.

Nicknames come from the curated `nicknames` dataset (Bob, Rob and Robert; Peggy and Margaret).
Names are compared as integer codes so a few million candidate pairs cost milliseconds.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

import numpy as np
import pandas as pd
from nicknames import NickNamer
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist

# A typo in a short name ('Jonh', 'Micheal') scores above this; different names rarely do.
SAME_NAME_SIMILARITY = 0.92
CLOSE_NAME_SIMILARITY = 0.85
# Below this two given names are different people, whatever else agrees.
DIFFERENT_NAME_SIMILARITY = 0.80


@cache
def related_names() -> dict[str, frozenset[str]]:
    """Every name to the names it may stand for: itself, its nicknames, their formal forms."""
    related: dict[str, set[str]] = defaultdict(set)
    for formal, nicknames in NickNamer().nickname_lookup.items():
        group = {formal, *nicknames}
        for name in group:
            related[name] |= group
    return {name: frozenset(group) for name, group in related.items()}


class Nicknames:
    """Given names as codes, and which code pairs are nicknames of each other."""

    def __init__(self, given: pd.Series) -> None:
        codes, vocabulary = pd.factorize(given, use_na_sentinel=True)
        self.codes = codes.astype(np.int64)
        self.size = len(vocabulary) + 1
        position = {name: n for n, name in enumerate(vocabulary)}
        lookup = related_names()
        self.allowed = np.array(
            sorted(
                a * self.size + position[b]
                for a, name in enumerate(vocabulary)
                for b in lookup.get(name, ())
                if b in position and b != name
            ),
            dtype=np.int64,
        )

    def related(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """True where records i and j carry given names related through the dataset."""
        if len(self.allowed) == 0:
            return np.zeros(len(i), dtype=bool)
        a, b = self.codes[i], self.codes[j]
        return (a >= 0) & (b >= 0) & np.isin(a * self.size + b, self.allowed)


def similarity(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Jaro-Winkler similarity per pair (0..1); empty strings where a value is missing."""
    out = np.zeros(len(left))
    both = (left != "") & (right != "")
    if both.any():
        out[both] = cpdist(
            list(left[both]),
            list(right[both]),
            scorer=JaroWinkler.normalized_similarity,
            workers=-1,
        )
    return out


def blank(values: pd.Series | np.ndarray) -> np.ndarray:
    """Object array with '' for missing values, what rapidfuzz and numpy compare."""
    array = np.asarray(values, dtype=object)
    return np.where(pd.isna(array), "", array)


def short_form(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """True where one name is the other's first three or more letters: Sam and Samantha.

    Catches the clipped forms a nickname list misses; an initial alone is weaker and handled as
    such by the caller.
    """
    a = np.asarray(left, dtype=str)
    b = np.asarray(right, dtype=str)
    shorter = np.where(np.strings.str_len(a) <= np.strings.str_len(b), a, b)
    longer = np.where(np.strings.str_len(a) <= np.strings.str_len(b), b, a)
    return (np.strings.str_len(shorter) >= 3) & np.strings.startswith(longer, shorter)
