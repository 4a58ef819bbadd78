"""How strongly a pair of records says 'same person', field by field (Fellegi-Sunter).

Each field's agreement level (comparisons.py) adds its learned weight (model.py), log2 of how
much likelier that agreement is for one person than for two; the business's prior odds start
the sum. The total is the pair's match weight and, through the logistic curve, its match
probability. A pair is linked when that probability reaches the business's threshold (fuzzy.py
picks it for a precision target), fields other than names and postcode agree by SUPPORT_BITS or
more (two John Smiths in one ZIP code who share nothing else stay two people), and nothing
vetoes it.

Vetoes are positive evidence of two people (`veto`), never a typo:
- given names or birth dates that disagree by more than VETO_BITS, as the data has taught the
  model those fields to say (in shop data, a different birth date is a different person; in
  data whose clerks garble birth dates, it says less);
- two clearly different given names with nothing personal (the same birth date or loyalty card)
  saying one person: Mary and John Okafor on one household inbox are two people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist

from pipeline.identity import comparisons, names
from pipeline.identity.comparisons import FIELD_NAMES, FIELDS
from pipeline.identity.model import Model, fit

# Linked when the model puts the pair at this probability or above: the precision target for a
# single link (the benchmarks report what it gives on data nobody here wrote).
# Disagreement on a person's own attributes (given name, birth date) this strong, in bits, is
# proof of two people: a household sharing a mailbox, a parent and a child sharing a phone.
VETO_BITS = 8.0
# What the fields other than names and postcode must add between them.
SUPPORT_BITS = 6.5
PERSONAL_FIELDS = ("given", "birth_date")
_PERSONAL = [FIELD_NAMES.index(n) for n in PERSONAL_FIELDS]
_GIVEN, _BIRTH, _LOYALTY = (FIELD_NAMES.index(n) for n in ("given", "birth_date", "loyalty_id"))
# A postcode is shared by thousands: with a name it is still not enough to say one person.
_SUPPORT = [k for k, n in enumerate(FIELD_NAMES) if n not in (*comparisons.NAME_FIELDS, "postcode")]


def _numbers(values: np.ndarray) -> np.ndarray:
    """Bits as JSON numbers (4 places; no "-0.0"), each distinct value formatted once."""
    distinct, position = np.unique(np.round(values, 4) + 0.0, return_inverse=True)
    return np.array([repr(float(v)) for v in distinct], dtype=object)[position]


def veto(levels: np.ndarray, contributions: np.ndarray) -> np.ndarray:
    """Pairs that cannot be one person (see the module docstring)."""
    against = np.minimum(contributions[:, _PERSONAL], 0.0).sum(axis=1)
    nothing_personal = (levels[:, _BIRTH] != 2) & (levels[:, _LOYALTY] < 1)
    return (against <= -VETO_BITS) | ((levels[:, _GIVEN] == 0) & nothing_personal)


@dataclass(frozen=True)
class Comparison:
    i: np.ndarray
    j: np.ndarray
    levels: np.ndarray  # pairs x fields, comparisons' levels
    contributions: np.ndarray  # pairs x fields, bits
    prior: np.ndarray  # per pair, bits
    swapped: np.ndarray  # per pair: one record has the given and family names the wrong way round

    @property
    def weight(self) -> np.ndarray:
        return self.prior + self.contributions.sum(axis=1)

    @property
    def probability(self) -> np.ndarray:
        return 1.0 / (1.0 + np.exp2(-np.clip(self.weight, -60, 60)))

    @property
    def conflict(self) -> np.ndarray:
        return veto(self.levels, self.contributions)

    @property
    def supported(self) -> np.ndarray:
        """Fields other than names and postcode agree by SUPPORT_BITS or more."""
        return np.maximum(self.contributions[:, _SUPPORT], 0.0).sum(axis=1) >= SUPPORT_BITS

    @property
    def named_or_personal(self) -> np.ndarray:
        """Both given names present (or the names swapped), or something personal agrees (the
        same birth date, a loyalty card): a record without a given name on a household's
        street, phone or inbox cannot say which member it is."""
        lv = self.levels
        return (lv[:, _GIVEN] >= 0) | (lv[:, _BIRTH] == 2) | (lv[:, _LOYALTY] >= 1)

    @property
    def eligible(self) -> np.ndarray:
        """May link if probable enough: supported beyond names, named, and not vetoed."""
        return self.supported & self.named_or_personal & ~self.conflict

    def evidence(self, rows: np.ndarray) -> list[str]:
        """Which fields agreed for the given pairs, e.g. 'given=,family~,postcode='."""
        out = []
        for n in rows:
            marks = []
            for k, field in enumerate(FIELDS):
                level = self.levels[n, k]
                if level > 0:
                    top = len(field.levels) - 1
                    marks.append(field.name + ("=" if level == top else "~"))
            if self.swapped[n]:
                marks.append("swapped")
            out.append(",".join(marks))
        return out

    def waterfall(self, rows: np.ndarray) -> np.ndarray:
        """Per pair, a JSON list a person can read: the prior, then each field's level and bits;
        the bits sum to the match weight. Built column-wise (there is one per linked record),
        each distinct number formatted once."""
        text = '[{"field":"prior","level":"business size","bits":' + _numbers(self.prior[rows])
        for k, field in enumerate(FIELDS):
            heads = np.array(
                [
                    f'}},{{"field":"{field.name}","level":"{label}","bits":'
                    for label in ("missing", *field.levels)
                ],
                dtype=object,
            )
            text = text + heads[self.levels[rows, k] + 1] + _numbers(self.contributions[rows, k])
        return text + "}]"


class Fields:
    """The evidence columns as integer codes (equality) and text (similarity), built once."""

    COLUMNS = ("email", "phone", "loyalty_id", "address", "postcode", "birth_date")

    # A key value held by more than this many records of one business is shared (a front-desk
    # phone, a shop's walk-in mailbox, a family inbox): it is no evidence for anyone.
    MAX_RECORDS_PER_KEY = 8
    KEYS = ("loyalty_id", "email", "phone")

    def __init__(self, ev: pd.DataFrame) -> None:
        ev = ev.copy()
        scope = pd.factorize(ev["scope"])[0].astype(np.int64)
        self.overused: dict[str, int] = {}
        for key in self.KEYS:
            code = pd.factorize(ev[key], use_na_sentinel=True)[0].astype(np.int64)
            held = np.flatnonzero(code >= 0)
            pair = scope[held] * (code.max() + 1) + code[held]
            block = pd.factorize(pair)[0]
            size = np.bincount(block)
            shared = held[size[block] > self.MAX_RECORDS_PER_KEY]
            self.overused[key] = int((size > self.MAX_RECORDS_PER_KEY).sum())
            if len(shared):
                column = ev[key].to_numpy(dtype=object, copy=True)
                column[shared] = None
                ev[key] = column
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
        self.code["email_domain"] = pd.factorize(parts.str[1])[0]
        self.code["scope"] = pd.factorize(ev["scope"])[0]
        self.code["has_address"] = np.where(self.code["address"] >= 0, 0, -1)
        family = ev["family"].fillna("")
        self.code["family_initial"] = pd.factorize(family.str[:1].where(family != "", None))[0]
        self.code["given_initial"] = np.where(self.code["given"] >= 0, self.given_first, -1)
        low = np.minimum(self.code["given"], self.code["family"])
        high = np.maximum(self.code["given"], self.code["family"])
        names_known = low >= 0
        self.code["name_tokens"] = np.where(names_known, low * (len(both) + 1) + high, -1)
        # The subscriber part of a number: an area-code slip keeps it.
        self.code["phone_line"] = pd.factorize(ev["phone"].str[-7:])[0]
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

    def score(self, column: str, i: np.ndarray, j: np.ndarray, scorer) -> np.ndarray:
        """Scorer per pair, for pairs the caller knows both hold a value."""
        if len(i) == 0:
            return np.zeros(0)
        text = self.text[column]
        return cpdist(list(text[i]), list(text[j]), scorer=scorer, workers=-1)

    def swapped(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        given, family = self.code["given"], self.code["family"]
        return (
            (given[i] >= 0) & (family[i] >= 0) & (given[i] == family[j]) & (family[i] == given[j])
        )

    def __len__(self) -> int:
        return len(self.ev)


class Scorer:
    """Fields plus the model learned from them: compares pairs and says which cannot be one."""

    def __init__(self, fields: Fields, model: Model | None = None) -> None:
        self.fields = fields
        self.model = model or fit(fields)

    def compare(self, i: np.ndarray, j: np.ndarray, floor: float | None = None) -> Comparison:
        """Levels, contributions and prior per pair. With `floor` (a probability), pairs that
        cannot reach it, or cannot be supported beyond names, are dropped as soon as that is
        known (see `_reachable`), so the costly comparisons run only on the pairs that remain.
        The result covers the pairs kept (its own i and j)."""
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        if floor is not None and len(i):
            i, j, lv = self._reachable(i, j, floor)
        else:
            lv = comparisons.levels(self.fields, i, j)
        return Comparison(
            i=i,
            j=j,
            levels=lv,
            contributions=self.model.weights(lv, i, j),
            prior=self.model.prior(i),
            swapped=self.fields.swapped(i, j),
        )

    # Cheapest first: integer codes alone, then short personal keys (one edit apart?), then
    # names and postcode, then street addresses. After each stage the fields not yet compared
    # count at their best.
    STAGES = (
        (),
        ("birth_date", "loyalty_id", "email", "phone"),
        (*comparisons.NAME_FIELDS, "postcode"),
        ("address",),
    )

    def _reachable(
        self, i: np.ndarray, j: np.ndarray, floor: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs that could still reach `floor`, with their levels."""
        f = self.fields
        least = np.log2(floor / (1.0 - floor))
        prior = self.model.prior(i)
        # Every field at its best, from integer codes alone; stages replace columns with truth.
        lv = comparisons.optimistic_levels(f, i, j, FIELD_NAMES)
        weights = self.model.weights(lv, i, j)
        for stage in self.STAGES:
            if stage:
                columns = [FIELD_NAMES.index(n) for n in stage]
                fresh = comparisons.levels(f, i, j, only=stage)
                lv[:, columns] = fresh[:, columns]
                weights[:, columns] = self.model.weights(fresh, i, j)[:, columns]
            support = np.maximum(weights[:, _SUPPORT], 0.0).sum(axis=1)
            keep = (prior + weights.sum(axis=1) >= least) & (support >= SUPPORT_BITS)
            i, j, lv, weights, prior = i[keep], j[keep], lv[keep], weights[keep], prior[keep]
        return i, j, lv

    def conflict(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Pairs that cannot be one person: given names, birth dates and loyalty cards only."""
        if len(i) == 0:
            return np.zeros(0, dtype=bool)
        f = self.fields
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        lv = np.full((len(i), len(FIELDS)), comparisons.MISSING, dtype=np.int8)
        lv[:, _GIVEN] = comparisons.given(f, i, j, f.swapped(i, j))
        lv[:, _BIRTH] = comparisons.birth_date(f, i, j)
        lv[:, _LOYALTY] = comparisons.loyalty_id(f, i, j)
        return veto(lv, self.model.weights(lv, i, j))

    def __len__(self) -> int:
        return len(self.fields)
