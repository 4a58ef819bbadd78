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
# Below this two given names are different people, whatever else agrees: Jaro-Winkler is generous
# to short names (Lisa and Lois score 0.85, Brian and Brandon 0.86).
CLOSE_NAME_SIMILARITY = 0.88


@cache
def related_names() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(direct, sibling): a formal name and its nicknames (Robert, Bob) are one name; two
    nicknames of one formal name (Bob, Rob) only probably are, since a nickname can belong to
    several formal names (Lisa: Elizabeth, Alice, Melissa) and the chain grows loose."""
    direct: dict[str, set[str]] = defaultdict(set)
    sibling: dict[str, set[str]] = defaultdict(set)
    for formal, nicknames in NickNamer().nickname_lookup.items():
        for nick in nicknames:
            direct[formal].add(nick)
            direct[nick].add(formal)
            sibling[nick] |= nicknames - {nick}
    freeze = lambda table: {k: frozenset(v) for k, v in table.items()}  # noqa: E731
    return freeze(direct), freeze(sibling)


class Nicknames:
    """Given names as codes, and which code pairs are nicknames of each other."""

    def __init__(self, given: pd.Series) -> None:
        codes, vocabulary = pd.factorize(given, use_na_sentinel=True)
        self.codes = codes.astype(np.int64)
        self.size = len(vocabulary) + 1
        position = {name: n for n, name in enumerate(vocabulary)}
        self.allowed = [
            np.array(
                sorted(
                    a * self.size + position[b]
                    for a, name in enumerate(vocabulary)
                    for b in table.get(name, ())
                    if b in position
                ),
                dtype=np.int64,
            )
            for table in related_names()
        ]

    def _pairs(self, table: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        a, b = self.codes[i], self.codes[j]
        allowed = self.allowed[table]  # sorted: a binary search per pair, no sort of the pairs
        if len(allowed) == 0:
            return np.zeros(len(i), dtype=bool)
        wanted = a * self.size + b
        at = np.minimum(np.searchsorted(allowed, wanted), len(allowed) - 1)
        return (a >= 0) & (b >= 0) & (allowed[at] == wanted)

    def formal(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """True where one given name is the other's nickname (Bob and Robert)."""
        return self._pairs(0, i, j)

    def siblings(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """True where both are nicknames of one formal name (Bob and Rob)."""
        return self._pairs(1, i, j)


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
