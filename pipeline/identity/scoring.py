"""How strongly a pair of records says 'same person', field by field (Fellegi-Sunter style).

Each field's agreement level adds a weight, roughly log2 of how much likelier that agreement is
for one person than for two; a disagreement subtracts. Names and the other evidence are summed
separately: a link needs both, so two John Smiths in one ZIP code stay two people. Some
disagreements are vetoes (`conflict`): two different given names, birth dates or loyalty ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.fuzz import token_sort_ratio
from rapidfuzz.process import cpdist

from pipeline.identity import names

# Weights (log2 likelihood ratios): set by hand, checked on the labelled benchmark (bench/).
FAMILY_TYPO, FAMILY_CLOSE, FAMILY_DIFFERENT = 4.0, 2.0, -5.0
FAMILY_SAME_RANGE = (3.0, 12.0)
EMAIL_SAME, EMAIL_TYPO, EMAIL_OTHER_DOMAIN, EMAIL_DIFFERENT = 10.0, 5.0, 2.0, -1.0
PHONE_SAME, PHONE_NEAR, PHONE_DIFFERENT = 10.0, 4.0, -1.0
ADDRESS_SAME, ADDRESS_NEAR, ADDRESS_DIFFERENT = 5.0, 2.5, -1.0
POSTCODE_SAME, POSTCODE_DIFFERENT = 2.0, -1.0
BIRTH_SAME = 7.0
LOYALTY_SAME = 10.0

# A fuzzy link needs names that agree, other evidence that agrees, and enough of both.
NAME_MIN, SUPPORT_MIN, TOTAL_MIN = 6.0, 4.5, 14.0
# Prior log2 odds that a blocked candidate pair is one person; turns a weight into a probability.
PRIOR = -6.0


@dataclass(frozen=True)
class Comparison:
    i: np.ndarray
    j: np.ndarray
    name: np.ndarray
    support: np.ndarray
    conflict: np.ndarray
    flags: dict[str, np.ndarray]  # per evidence label, the pairs where that field agreed

    @property
    def total(self) -> np.ndarray:
        return self.name + self.support

    @property
    def accepted(self) -> np.ndarray:
        return (
            ~self.conflict
            & (self.name >= NAME_MIN)
            & (self.support >= SUPPORT_MIN)
            & (self.total >= TOTAL_MIN)
        )

    @property
    def probability(self) -> np.ndarray:
        return 1.0 / (1.0 + np.exp2(-(self.total + PRIOR)))

    def evidence(self, rows: np.ndarray) -> list[str]:
        """Which fields agreed for the given pairs, e.g. 'given=,family~,postcode='."""
        picked = {label: mask[rows] for label, mask in self.flags.items()}
        return [
            ",".join(label for label, mask in picked.items() if mask[n]) for n in range(len(rows))
        ]


class Fields:
    """The evidence columns as integer codes (equality) and text (similarity), built once."""

    COLUMNS = ("email", "phone", "loyalty_id", "address", "postcode", "birth_date")

    def __init__(self, ev: pd.DataFrame) -> None:
        self.ev = ev
        self.text = {c: names.blank(ev[c].to_numpy()) for c in (*self.COLUMNS, "given", "family")}
        self.code = {c: pd.factorize(ev[c], use_na_sentinel=True)[0] for c in self.COLUMNS}
        # Given and family names share one vocabulary so swapped names compare equal.
        both = pd.concat([ev["given"], ev["family"]], ignore_index=True)
        name_codes = pd.factorize(both, use_na_sentinel=True)[0]
        self.code["given"], self.code["family"] = name_codes[: len(ev)], name_codes[len(ev) :]
        given = ev["given"].fillna("")
        self.given_first = pd.factorize(given.str[:1])[0]
        self.given_length = given.str.len().to_numpy()
        parts = ev["email"].str.split("@", n=1)
        local = parts.str[0]
        self.code["email_local"] = pd.factorize(local.where(local.str.len() >= 4, None))[0]
        self.text["email_local"] = names.blank(local.to_numpy())
        self.email_local_length = local.str.len().to_numpy(dtype=float, na_value=0)
        self.code["email_domain"] = pd.factorize(parts.str[1])[0]
        self.code["email_stem"] = pd.factorize(local.str.rstrip("0123456789"))[0]
        self.code["scope"] = pd.factorize(ev["scope"])[0]
        family = ev["family"].fillna("")
        self.code["family_initial"] = pd.factorize(family.str[:1].where(family != "", None))[0]
        self.code["given_initial"] = np.where(self.code["given"] >= 0, self.given_first, -1)
        low = np.minimum(self.code["given"], self.code["family"])
        high = np.maximum(self.code["given"], self.code["family"])
        names_known = low >= 0
        self.code["name_tokens"] = np.where(names_known, low * (len(both) + 1) + high, -1)
        # The subscriber part of a number: an area-code slip keeps it.
        self.code["phone_line"] = pd.factorize(ev["phone"].str[-7:])[0]
        self.family_same = family_weights(ev)
        self.nicknames = names.Nicknames(ev["given"])

    def take(self, column: str, idx: np.ndarray) -> np.ndarray:
        return self.text[column][idx]

    def both(self, column: str, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        code = self.code[column]
        return (code[i] >= 0) & (code[j] >= 0)

    def same(self, column: str, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        code = self.code[column]
        return (code[i] >= 0) & (code[i] == code[j])

    def differ(self, column: str, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        code = self.code[column]
        return (code[i] >= 0) & (code[j] >= 0) & (code[i] != code[j])

    def similarity(self, column: str, i: np.ndarray, j: np.ndarray, scorer=None) -> np.ndarray:
        """Scorer per pair where both differ and are present; 1 where equal, 0 where missing."""
        out = self.same(column, i, j).astype(float)
        scorer = scorer or JaroWinkler.normalized_similarity
        todo = np.flatnonzero(self.differ(column, i, j))
        if len(todo):
            text = self.text[column]
            out[todo] = cpdist(list(text[i[todo]]), list(text[j[todo]]), scorer=scorer, workers=-1)
        return out

    def swapped(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        given, family = self.code["given"], self.code["family"]
        return (
            (given[i] >= 0) & (family[i] >= 0) & (given[i] == family[j]) & (family[i] == given[j])
        )

    def __len__(self) -> int:
        return len(self.ev)


# Given-name agreement levels.
SAME, TYPO, INITIAL, CLOSE, MISSING, DIFFERENT = 5, 4, 3, 2, 0, -1
GIVEN_WEIGHT = {SAME: 4.5, TYPO: 3.0, INITIAL: 1.0, CLOSE: 1.5, MISSING: 0.0, DIFFERENT: -6.0}


def given_levels(f: Fields, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Per pair: SAME (or nickname), TYPO, INITIAL, CLOSE, MISSING or DIFFERENT."""
    both = f.both("given", i, j)
    sim = f.similarity("given", i, j)
    level = np.where(both, DIFFERENT, MISSING)
    level[both & (sim >= names.CLOSE_NAME_SIMILARITY)] = CLOSE
    level[both & f.nicknames.siblings(i, j)] = CLOSE
    short = (f.given_length[i] == 1) | (f.given_length[j] == 1)
    level[both & short & (f.given_first[i] == f.given_first[j])] = INITIAL
    level[both & (sim >= names.SAME_NAME_SIMILARITY)] = TYPO
    unsure = np.flatnonzero(both & (level <= CLOSE))
    if len(unsure):
        a, b = f.take("given", i[unsure]), f.take("given", j[unsure])
        # A clipped form (Sam, Samantha) or a single slip of the keyboard (Jhn, Jon) may be one
        # person: not proof, but no veto either. Short names are left alone: Al/Ed are not typos.
        slip = cpdist(list(a), list(b), scorer=DamerauLevenshtein.distance, workers=-1) <= 1
        slip &= (f.given_length[i[unsure]] >= 3) & (f.given_length[j[unsure]] >= 3)
        level[unsure[names.short_form(a, b) | slip]] = CLOSE
    level[f.same("given", i, j) | (both & f.nicknames.formal(i, j))] = SAME
    return level


def conflict(f: Fields, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Pairs that cannot be one person: different given names, birth dates or loyalty ids."""
    different = (given_levels(f, i, j) == DIFFERENT) & ~f.swapped(i, j)
    return different | f.differ("birth_date", i, j) | f.differ("loyalty_id", i, j)


def family_weights(ev: pd.DataFrame) -> np.ndarray:
    """Agreeing on a rare family name says more than agreeing on Smith.

    The frequency is smoothed towards a typical surname's (0.1%) so small businesses, where every
    name looks unique, do not over-trust it.
    """
    family = ev["family"].fillna("")
    counts = family.groupby([ev["scope"], family]).transform("size").to_numpy()
    scope_sizes = ev.groupby("scope")["scope"].transform("size").to_numpy()
    smoothing = 1000
    frequency = (counts + smoothing * 0.001) / (scope_sizes + smoothing)
    low, high = FAMILY_SAME_RANGE
    return np.clip(np.log2(0.95 / frequency), low, high)


def compare(f: Fields, i: np.ndarray, j: np.ndarray) -> Comparison:
    """Weights and verdict for candidate pairs (i[k], j[k]).

    Names are weighed first; pairs whose names cannot reach NAME_MIN are dropped before the
    other fields are compared, which is where most of the cost would go. The result covers only
    the pairs kept (its own i and j).
    """
    swapped = f.swapped(i, j)
    level = given_levels(f, i, j)
    level[swapped] = SAME
    given_w = np.select([level == lv for lv in GIVEN_WEIGHT], list(GIVEN_WEIGHT.values()), 0.0)
    family_sim = f.similarity("family", i, j)
    fam_both = f.both("family", i, j)
    fam_same = f.same("family", i, j) | swapped
    typo = fam_both & ~fam_same & (family_sim >= names.SAME_NAME_SIMILARITY)
    close = fam_both & ~fam_same & ~typo & (family_sim >= names.CLOSE_NAME_SIMILARITY)
    family_w = np.select(
        [fam_same, typo, close, fam_both],
        [
            np.minimum(f.family_same[i], f.family_same[j]),
            FAMILY_TYPO,
            FAMILY_CLOSE,
            FAMILY_DIFFERENT,
        ],
        0.0,
    )
    name_w = given_w + family_w
    # A fuzzy link needs both given names: a nameless record on a shared household phone or
    # inbox cannot say whose it is (the exact-key guard's reasoning, applied here too).
    keep = np.flatnonzero((name_w >= NAME_MIN) & (level >= CLOSE))
    i, j, name_w, level = i[keep], j[keep], name_w[keep], level[keep]
    flags = {
        "given=": level == SAME,
        "given~": np.isin(level, [TYPO, INITIAL, CLOSE]),
        "family=": fam_same[keep],
        "family~": (typo | close)[keep],
        "swapped": swapped[keep],
    }

    support = np.zeros(len(i))

    def add(label: str, levels: list[tuple[np.ndarray, float, str | None]]) -> None:
        """Weigh one field: the first matching level counts; marked levels become evidence."""
        nonlocal support
        support += np.select([mask for mask, _, _ in levels], [w for _, w, _ in levels], 0.0)
        for mask, _, mark in levels:
            if mark:
                flags[label + mark] = flags.get(label + mark, False) | mask

    # A typo inside one mailbox is evidence; the same local part at another provider is weak
    # (jamesdavis@ is taken by many James Davises), and a trailing number usually means the
    # name was taken, i.e. a different person.
    differ = f.differ("email", i, j)
    same_domain = f.same("email_domain", i, j)
    typo = (
        differ
        & same_domain
        & ~f.same("email_stem", i, j)
        & (f.email_local_length[i] >= 5)
        & (f.similarity("email_local", i, j, DamerauLevenshtein.distance) == 1)
    )
    other_domain = differ & ~same_domain & f.same("email_local", i, j)
    add(
        "email",
        [
            (f.same("email", i, j), EMAIL_SAME, "="),
            (typo, EMAIL_TYPO, "~"),
            (other_domain, EMAIL_OTHER_DOMAIN, "~"),
            (differ, EMAIL_DIFFERENT, None),
        ],
    )
    differ = f.differ("phone", i, j)
    slip = differ & (f.similarity("phone", i, j, DamerauLevenshtein.distance) <= 1)
    add(
        "phone",
        [
            (f.same("phone", i, j), PHONE_SAME, "="),
            (slip, PHONE_NEAR, "~"),
            (differ, PHONE_DIFFERENT, None),
        ],
    )
    add("loyalty", [(f.same("loyalty_id", i, j), LOYALTY_SAME, "=")])
    ratio = f.similarity("address", i, j, token_sort_ratio) / 100.0
    both = f.both("address", i, j)
    add(
        "address",
        [
            (f.same("address", i, j) | (both & (ratio >= 0.92)), ADDRESS_SAME, "="),
            (both & (ratio >= 0.80), ADDRESS_NEAR, "~"),
            (both, ADDRESS_DIFFERENT, None),
        ],
    )
    add(
        "postcode",
        [
            (f.same("postcode", i, j), POSTCODE_SAME, "="),
            (f.differ("postcode", i, j), POSTCODE_DIFFERENT, None),
        ],
    )
    add("birth_date", [(f.same("birth_date", i, j), BIRTH_SAME, "=")])

    vetoed = (
        ((level == DIFFERENT) & ~swapped[keep])
        | f.differ("loyalty_id", i, j)
        | f.differ("birth_date", i, j)
    )
    return Comparison(i=i, j=j, name=name_w, support=support, conflict=vetoed, flags=flags)
