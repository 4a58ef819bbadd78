"""How two records compare, field by field, as discrete agreement levels (Fellegi-Sunter's gamma).

Each field of a candidate pair gets one level: -1 where either record lacks the field (no
evidence either way), 0 where the values disagree, and higher levels for closer agreement. The
model (model.py) learns how likely each level is for one person and for two; this module only
says which level a pair is at. Levels are computed column-wise for millions of pairs, the
expensive string similarities only where the cheap equality test failed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.fuzz import token_sort_ratio
from rapidfuzz.process import cpdist

from pipeline.identity import names

MISSING = -1


@dataclass(frozen=True)
class Field:
    name: str
    levels: tuple[str, ...]  # level k's label; level 0 is always the disagreement
    prior_m: tuple[float, ...]  # starting m per level, before the data speaks
    term_frequency: bool = False  # exact agreement weighed by how common the value is


# The fields a pair is compared on, in waterfall order. prior_m says how a true pair's
# agreement usually spreads over the levels (typos are rare, disagreement rarer); EM moves it.
FIELDS = (
    Field(
        "given",
        ("different", "initial", "close", "typo", "same"),
        (0.003, 0.02, 0.06, 0.05, 0.867),
        term_frequency=True,
    ),
    Field(
        "family",
        ("different", "close", "typo", "same"),
        (0.03, 0.02, 0.05, 0.90),
        term_frequency=True,
    ),
    Field("birth_date", ("different", "typo", "same"), (0.003, 0.03, 0.967)),
    Field("loyalty_id", ("different", "typo", "same"), (0.01, 0.03, 0.96)),
    Field("email", ("different", "same"), (0.15, 0.85)),
    Field("phone", ("different", "typo", "same"), (0.15, 0.03, 0.82)),
    Field("address", ("different", "loose", "near", "same"), (0.20, 0.05, 0.10, 0.65)),
    Field("postcode", ("different", "typo", "same"), (0.15, 0.02, 0.83), term_frequency=True),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
NAME_FIELDS = FIELD_NAMES[:2]  # ("given", "family"): the names lead the waterfall
KEY_FIELDS = ("loyalty_id", "email", "phone")


def _select(conditions: list[tuple[np.ndarray, int]], both: np.ndarray) -> np.ndarray:
    """Level per pair: the first true condition's level, 0 where present but none held."""
    level = np.where(both, 0, MISSING).astype(np.int8)
    for mask, value in reversed(conditions):
        level[both & mask] = value
    return level


def _one_edit(f, column: str, i: np.ndarray, j: np.ndarray, differ: np.ndarray) -> np.ndarray:
    """True where two present, different values are one typo apart (Damerau-Levenshtein 1)."""
    out = np.zeros(len(i), dtype=bool)
    todo = np.flatnonzero(differ)
    if len(todo):
        distance = f.score(column, i[todo], j[todo], DamerauLevenshtein.distance)
        out[todo] = distance <= 1
    return out


# Given-name agreement before it becomes a level: nicknames, initials and clipped forms.
def given_agreement(f, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Per pair: 4 same (or a formal nickname), 3 typo, 2 close, 1 initial, 0 different,
    -1 missing. Bob and Robert are the same name; Bob and Rob, Sam and Samantha, or one slip of
    the keyboard are close; a lone initial that fits is weaker still."""
    both = f.both("given", i, j)
    sim = np.zeros(len(i))
    todo = np.flatnonzero(both & ~f.same("given", i, j))
    if len(todo):
        sim[todo] = f.score("given", i[todo], j[todo], JaroWinkler.normalized_similarity)
    level = np.where(both, 0, MISSING).astype(np.int8)
    level[both & (sim >= names.CLOSE_NAME_SIMILARITY)] = 2
    level[both & f.nicknames.siblings(i, j)] = 2
    short = (f.given_length[i] == 1) | (f.given_length[j] == 1)
    level[both & short & (f.given_first[i] == f.given_first[j])] = 1
    level[both & (sim >= names.SAME_NAME_SIMILARITY)] = 3
    unsure = np.flatnonzero(both & (level <= 2) & (level != 1))
    if len(unsure):
        a, b = f.take("given", i[unsure]), f.take("given", j[unsure])
        # Short names are left alone: Al and Ed are not typos of each other.
        slip = cpdist(list(a), list(b), scorer=DamerauLevenshtein.distance, workers=-1) <= 1
        slip &= (f.given_length[i[unsure]] >= 3) & (f.given_length[j[unsure]] >= 3)
        level[unsure[names.short_form(a, b) | slip]] = 2
    level[f.same("given", i, j) | (both & f.nicknames.formal(i, j))] = 4
    return level


def given(f, i: np.ndarray, j: np.ndarray, swapped: np.ndarray) -> np.ndarray:
    level = given_agreement(f, i, j)
    level[swapped] = 4
    return level


def family(f, i: np.ndarray, j: np.ndarray, swapped: np.ndarray) -> np.ndarray:
    both = f.both("family", i, j)
    same = f.same("family", i, j)
    sim = np.zeros(len(i))
    todo = np.flatnonzero(both & ~same)
    if len(todo):
        sim[todo] = f.score("family", i[todo], j[todo], JaroWinkler.normalized_similarity)
    level = _select(
        [
            (same, 3),
            (sim >= names.SAME_NAME_SIMILARITY, 2),
            (sim >= names.CLOSE_NAME_SIMILARITY, 1),
        ],
        both,
    )
    level[swapped] = 3
    return level


def birth_date(f, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """A slipped digit, or day and month swapped (03/04 for 04/03), is a typo."""
    both, same = f.both("birth_date", i, j), f.same("birth_date", i, j)
    differ = both & ~same
    typo = _one_edit(f, "birth_date", i, j, differ)
    todo = np.flatnonzero(differ & ~typo)
    if len(todo):
        a, b = f.take("birth_date", i[todo]), f.take("birth_date", j[todo])
        # ISO dates: YYYY-MM-DD; swapped day and month read YYYY-DD-MM.
        swapped = np.array([x[:4] + x[7:] + x[4:7] == y for x, y in zip(a, b, strict=True)])
        typo[todo] = swapped
    return _select([(same, 2), (typo, 1)], both)


def loyalty_id(f, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    both, same = f.both("loyalty_id", i, j), f.same("loyalty_id", i, j)
    typo = _one_edit(f, "loyalty_id", i, j, both & ~same)
    return _select([(same, 2), (typo, 1)], both)


def email(f, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Same mailbox or not. A mailbox one edit off another, or the same local part at another
    provider, is no evidence either way (missing): most such pairs are two people whose
    mailboxes are both made of one name (ashley.martinez@ and ashleymartinez@,
    christine.davis@ and christina.davis@, jamesdavis@ at two providers), which the name
    fields already weigh, and a real typo cannot be told from them."""
    both, same = f.both("email", i, j), f.same("email", i, j)
    differ = both & ~same
    same_domain = f.same("email_domain", i, j)
    one_edit = _one_edit(f, "email_local", i, j, differ & same_domain)
    other_provider = differ & ~same_domain & f.same("email_local", i, j)
    level = _select([(same, 1)], both)
    level[one_edit | other_provider] = MISSING
    return level


def phone(f, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    both, same = f.both("phone", i, j), f.same("phone", i, j)
    typo = _one_edit(f, "phone", i, j, both & ~same)
    return _select([(same, 2), (typo, 1)], both)


def address(f, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    both, same = f.both("address", i, j), f.same("address", i, j)
    ratio = np.zeros(len(i))
    todo = np.flatnonzero(both & ~same)
    if len(todo):
        ratio[todo] = f.score("address", i[todo], j[todo], token_sort_ratio) / 100
    return _select([(same | (ratio >= 0.92), 3), (ratio >= 0.80, 2), (ratio >= 0.65, 1)], both)


def postcode(f, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    both, same = f.both("postcode", i, j), f.same("postcode", i, j)
    typo = _one_edit(f, "postcode", i, j, both & ~same)
    return _select([(same, 2), (typo, 1)], both)


def levels(f, i: np.ndarray, j: np.ndarray, only: tuple[str, ...] = FIELD_NAMES) -> np.ndarray:
    """Pairs x FIELDS matrix of agreement levels (int8); fields not in `only` stay MISSING."""
    swapped = f.swapped(i, j)
    columns = {
        "given": lambda: given(f, i, j, swapped),
        "family": lambda: family(f, i, j, swapped),
        "birth_date": lambda: birth_date(f, i, j),
        "loyalty_id": lambda: loyalty_id(f, i, j),
        "email": lambda: email(f, i, j),
        "phone": lambda: phone(f, i, j),
        "address": lambda: address(f, i, j),
        "postcode": lambda: postcode(f, i, j),
    }
    out = np.full((len(i), len(FIELDS)), MISSING, dtype=np.int8)
    for k, field in enumerate(FIELD_NAMES):
        if field in only:
            out[:, k] = columns[field]()
    return out


def optimistic_levels(f, i: np.ndarray, j: np.ndarray, fields: tuple[str, ...]) -> np.ndarray:
    """For `fields`, the top level where the values are equal and, where they differ, every
    lower level at once (UNKNOWN_BELOW_TOP, which the model reads as the best of them): what a
    pair could reach at most, from integer codes alone, before any string is compared. A formal
    name and its nickname count as equal (Bob and Robert are the same name), and so do swapped
    names."""
    out = np.full((len(i), len(FIELDS)), MISSING, dtype=np.int8)
    swapped = f.swapped(i, j) if set(fields) & set(NAME_FIELDS) else None
    for k, field in enumerate(FIELDS):
        if field.name in fields:
            both, same = f.both(field.name, i, j), f.same(field.name, i, j)
            if field.name == "given":
                same = same | swapped | (both & f.nicknames.formal(i, j))
            elif field.name == "family":
                same = same | swapped
            out[both, k] = UNKNOWN_BELOW_TOP
            out[same, k] = len(field.levels) - 1
    return out


UNKNOWN_BELOW_TOP = -2
