"""The probabilistic model: how much each field's agreement says, learned from the data itself.

Fellegi-Sunter: for each field and agreement level, m = P(level | one person) and u = P(level |
two people); the level adds log2(m/u) bits to a pair's match weight. As in Splink:
- u comes from random pairs of records within a business (almost all of them two people);
- m comes from expectation-maximisation over training pairs that share one field (same birth
  date, same postcode, same full name), in sessions that leave the shared field out of the
  estimate, since every pair of the session agrees on it by construction;
- exact agreement on a name or postcode is weighed by how common the value is (term frequency):
  two Smiths say less than two Okonkwos;
- the prior odds that two records of a business are one person come from how many true pairs the
  full-name session implies, spread over the business's record count.
Both m and u start from hand-set values (comparisons.FIELDS, U_PRIOR) held with a fixed weight of
pseudo-pairs, so a small shop's few records move them little and a big data set moves them a lot.
Deterministic: the random pairs come from a fixed seed over records in canonical order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.identity.comparisons import (
    FIELD_NAMES,
    FIELDS,
    NAME_FIELDS,
    levels,
)
from pipeline.identity.pairs import Codes, block_sizes, window_pairs

SEED = 20261206
U_SAMPLE_PAIRS = 200_000
TRAINING_PAIRS_PER_SESSION = 200_000
TRAINING_WINDOW = 4
EM_ITERATIONS = 30
# How many pairs' worth of belief the hand-set starting values carry.
M_PSEUDO_PAIRS = 50.0
U_PSEUDO_PAIRS = 1_000.0
TF_PSEUDO_RECORDS = 1_000.0
# True pairs per record when the data cannot tell (no names to train on).
DEFAULT_PAIRS_PER_RECORD = 0.3
MAX_PRIOR = 0.05
# Fewer full-name pairs than this say too little about two same-named strangers (_given_the_names).
MIN_PAIRS_FOR_NAME_U = 1_000

# u per level (different ... same) before the data speaks: what two strangers' records show.
U_PRIOR = {
    "given": (0.967, 0.005, 0.01, 0.003, 0.015),
    "family": (0.983, 0.003, 0.002, 0.012),
    "birth_date": (0.9995, 0.0004, 0.0001),
    "loyalty_id": (0.99999, 0.00001, 0.000001),
    "email": (0.999999, 0.000001),
    "phone": (0.99998, 0.00001, 0.000001),
    "address": (0.99, 0.008, 0.0015, 0.0005),
    "postcode": (0.95, 0.03, 0.02),
}
# Training sessions: pairs sharing these columns; the fields they cannot teach.
SESSIONS = (
    ("name_tokens", ("given", "family")),
    ("birth_date", ("birth_date",)),
    ("postcode", ("postcode", "address")),
)


def prior_probability(scope_size: np.ndarray, pairs_per_record: float) -> np.ndarray:
    """P(two records of a business of n records are one person): its n x pairs_per_record true
    pairs over all its n (n - 1) / 2 pairs. A handful of records says nothing about a
    business's duplicate rate, hence the cap at MAX_PRIOR."""
    n = np.maximum(np.asarray(scope_size, dtype=float), 2.0)
    return np.minimum(2.0 * pairs_per_record / (n - 1.0), MAX_PRIOR)


@dataclass(frozen=True)
class Model:
    m: tuple[np.ndarray, ...]  # per field, P(level | one person)
    u: tuple[np.ndarray, ...]  # per field, P(level | two people)
    pairs_per_record: float
    tf_u: dict[str, np.ndarray]  # per TF field, per record: how common its value is (smoothed)
    scope_size: np.ndarray  # per record, records in its business

    def weights(self, lv: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Pairs x fields: each field's contribution in bits (0 where a value is missing)."""
        out = np.empty(lv.shape, dtype=float)
        for k, field in enumerate(FIELDS):
            table = np.log2(self.m[k] / self.u[k])
            # Indexed by level; UNKNOWN_BELOW_TOP (-2, a present value whose level is not yet
            # worked out) reads the best level below the top, MISSING (-1) reads 0.
            lookup = np.concatenate([table, [table[:-1].max(), 0.0]])
            out[:, k] = lookup[lv[:, k]]
            if field.term_frequency:
                top = len(field.levels) - 1
                exact = np.flatnonzero(lv[:, k] == top)
                common = np.maximum(
                    self.tf_u[field.name][i[exact]], self.tf_u[field.name][j[exact]]
                )
                out[exact, k] = np.log2(self.m[k][top] / common)
        return out

    def prior(self, i: np.ndarray) -> np.ndarray:
        """Log2 prior odds that two records of one business are one person."""
        probability = prior_probability(self.scope_size[i], self.pairs_per_record)
        return np.log2(probability / (1.0 - probability))

    def table(self) -> pd.DataFrame:
        """m, u and weight per field and level, for people to read."""
        rows = [
            {
                "field": field.name,
                "level": label,
                "m": float(self.m[k][n]),
                "u": float(self.u[k][n]),
                "weight": float(np.log2(self.m[k][n] / self.u[k][n])),
            }
            for k, field in enumerate(FIELDS)
            for n, label in enumerate(field.levels)
        ]
        return pd.DataFrame(rows)


def _pairs_in_scope(f, rng: np.random.Generator, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to `limit` random pairs of distinct records of one business, spread by pair count."""
    scope = f.code["scope"]
    order = np.argsort(scope, kind="stable")
    counts = np.bincount(scope)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pair_counts = counts * (counts - 1) / 2.0
    total = pair_counts.sum()
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    share = rng.multinomial(min(limit, int(total)), pair_counts / total)
    lefts, rights = [], []
    for s in np.flatnonzero(share):
        a = rng.integers(0, counts[s], share[s])
        b = rng.integers(0, counts[s] - 1, share[s])
        b = b + (b >= a)  # b != a, uniform over the others
        lefts.append(order[starts[s] + a])
        rights.append(order[starts[s] + b])
    return np.concatenate(lefts), np.concatenate(rights)


def _level_counts(lv: np.ndarray, weights: np.ndarray | None = None) -> list[np.ndarray]:
    out = []
    for k, field in enumerate(FIELDS):
        present = lv[:, k] >= 0
        w = None if weights is None else weights[present]
        out.append(np.bincount(lv[present, k], weights=w, minlength=len(field.levels)))
    return out


def estimate_u(f, rng: np.random.Generator) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """u per field from random pairs, and the first record of each pair sampled."""
    i, j = _pairs_in_scope(f, rng, U_SAMPLE_PAIRS)
    counts = _level_counts(levels(f, i, j))
    u = []
    for k, field in enumerate(FIELDS):
        prior = np.asarray(U_PRIOR[field.name])
        u.append((counts[k] + U_PSEUDO_PAIRS * prior) / (counts[k].sum() + U_PSEUDO_PAIRS))
    return tuple(u), i


def _without_true_pairs(u, m, share: float, sampled: int) -> tuple[np.ndarray, ...]:
    """u with the true pairs among the random ones taken out.

    A random pair of a small shop's records is one person more often than one might think (a
    two-record shop's only pair may be): agreement among random pairs is share*m + (1-share)*u.
    Solved for u, and never below the hand-set value's share of the estimate.
    """
    out = []
    for k, field in enumerate(FIELDS):
        floor = U_PSEUDO_PAIRS * np.asarray(U_PRIOR[field.name]) / (sampled + U_PSEUDO_PAIRS)
        clean = np.maximum((u[k] - share * m[k]) / (1.0 - share), floor)
        clean[0] = u[k][0]  # disagreement: true pairs only make it rarer; keep the estimate
        out.append(clean)
    return tuple(out)


def _training_pairs(f, column: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Pairs of records sharing `column`, in random order within each block (so the sample is
    not biased toward similar names), and how many such pairs exist in all."""
    blocks = Codes(f.code).blocks([column])
    sizes = block_sizes(blocks)
    present = sizes > 0
    firsts = np.unique(blocks[present], return_index=True)[1]
    size_of_block = sizes[present][firsts].astype(float)
    all_pairs = float((size_of_block * (size_of_block - 1) / 2).sum())
    shuffle = np.random.default_rng(SEED).permutation(len(blocks))
    i, j = window_pairs(blocks, [shuffle], TRAINING_WINDOW)
    if len(i) > TRAINING_PAIRS_PER_SESSION:
        keep = np.linspace(0, len(i) - 1, TRAINING_PAIRS_PER_SESSION).astype(np.int64)
        i, j = i[keep], j[keep]
    return i, j, all_pairs


def _em(
    lv: np.ndarray, u, estimated: list[int]
) -> tuple[list[np.ndarray], list[np.ndarray], float]:
    """Expected per-level counts among true pairs and among the others (for the estimated
    fields), and the share of true pairs, by EM with u held fixed. Identical comparison
    patterns are counted once."""
    patterns, counts = np.unique(lv, axis=0, return_counts=True)
    m = [np.asarray(FIELDS[k].prior_m, dtype=float) for k in range(len(FIELDS))]
    share = 0.1
    expected = [np.zeros(len(field.levels)) for field in FIELDS]
    for _ in range(EM_ITERATIONS):
        bits = np.zeros(len(patterns))
        for k in estimated:
            present = patterns[:, k] >= 0
            bits[present] += np.log2(m[k] / u[k])[patterns[present, k]]
        odds = np.log2(share / (1 - share)) + bits
        posterior = counts / (1.0 + np.exp2(-np.clip(odds, -60, 60)))
        share = float(np.clip(posterior.sum() / counts.sum(), 1e-6, 1 - 1e-6))
        for k in estimated:
            present = patterns[:, k] >= 0
            expected[k] = np.bincount(
                patterns[present, k], weights=posterior[present], minlength=len(FIELDS[k].levels)
            )
            prior = np.asarray(FIELDS[k].prior_m)
            m[k] = (expected[k] + M_PSEUDO_PAIRS * prior) / (expected[k].sum() + M_PSEUDO_PAIRS)
    others = [np.zeros(len(field.levels)) for field in FIELDS]
    for k in estimated:
        present = patterns[:, k] >= 0
        others[k] = np.bincount(
            patterns[present, k],
            weights=(counts - posterior)[present],
            minlength=len(FIELDS[k].levels),
        )
    return expected, others, share


def _term_frequencies(f, u) -> dict[str, np.ndarray]:
    """Per record, how often its value occurs in its business, smoothed toward the field's u for
    exact agreement (so a small shop, where every name looks unique, does not over-trust it)."""
    out = {}
    scope = f.code["scope"]
    scope_size = np.bincount(scope)[scope].astype(float)
    for k, field in enumerate(FIELDS):
        if not field.term_frequency:
            continue
        blocks = Codes(f.code).blocks([field.name])
        count = block_sizes(blocks).astype(float)
        exact_u = u[k][-1]
        out[field.name] = (count + TF_PSEUDO_RECORDS * exact_u) / (scope_size + TF_PSEUDO_RECORDS)
    return out


def _given_the_names(u, others: list[np.ndarray], estimated: list[int]) -> tuple[np.ndarray, ...]:
    """u for near agreement, raised to what two different people with the same name show.

    Fellegi-Sunter treats fields as independent, but a mailbox is often made of the name:
    hannah.davis@ and hannah.n.davis@ are one typo apart far more often for two Hannah Davises
    than for two strangers. Nearly every candidate pair agrees on a name, so the rate among the
    full-name session's non-matches is the honest u for them.
    """
    out = list(u)
    for k in estimated:
        if FIELD_NAMES[k] in NAME_FIELDS:
            continue
        same_name = (others[k] + U_PSEUDO_PAIRS * u[k]) / (others[k].sum() + U_PSEUDO_PAIRS)
        raised = np.maximum(u[k], same_name)
        # Only the near levels (a typo, a similar street): exact agreement on a key is no echo
        # of a name, and disagreement keeps the strangers' rate.
        raised[0], raised[-1] = u[k][0], u[k][-1]
        out[k] = raised
    return tuple(out)


def fit(f) -> Model:
    rng = np.random.default_rng(SEED)
    u, sampled = estimate_u(f, rng)
    pooled = [np.zeros(len(field.levels)) for field in FIELDS]
    implied_pairs = None
    for column, taught_elsewhere in SESSIONS:
        i, j, all_pairs = _training_pairs(f, column)
        if len(i) < 2:
            continue
        lv = levels(f, i, j)
        estimated = [k for k, name in enumerate(FIELD_NAMES) if name not in taught_elsewhere]
        expected, others, share = _em(lv, u, estimated)
        for k in estimated:
            pooled[k] += expected[k]
        if column == "name_tokens":
            implied_pairs = share * all_pairs
            if len(i) >= MIN_PAIRS_FOR_NAME_U:
                u = _given_the_names(u, others, estimated)
    m = tuple(
        (pooled[k] + M_PSEUDO_PAIRS * np.asarray(field.prior_m))
        / (pooled[k].sum() + M_PSEUDO_PAIRS)
        for k, field in enumerate(FIELDS)
    )
    pairs_per_record = DEFAULT_PAIRS_PER_RECORD
    if implied_pairs:
        # The full-name session saw only the true pairs that agree on both names exactly.
        both_names = m[0][-1] * m[1][-1]
        pairs_per_record = float(np.clip(implied_pairs / both_names / len(f), 0.01, 5.0))
    scope = f.code["scope"]
    scope_size = np.bincount(scope)[scope]
    if len(sampled):
        share = float(prior_probability(scope_size[sampled], pairs_per_record).mean())
        u = _without_true_pairs(u, m, share, len(sampled))
    return Model(
        m=m,
        u=u,
        pairs_per_record=pairs_per_record,
        tf_u=_term_frequencies(f, u),
        scope_size=scope_size,
    )
