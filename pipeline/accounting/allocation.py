"""Splitting an amount of cents in proportion to weights, exactly: the parts always sum to it.

Used wherever one amount is shared out (a line's discount and tax over its revenue parts).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction


def allocate(total: int, weights: Sequence[int | Decimal | Fraction]) -> list[int]:
    """Split integer `total` in proportion to `weights` by largest remainder: exact, in order.

    Every part gets the floor of its exact share; the cents left over go one each to the parts
    with the largest fractions (the earlier part on a tie), so the parts always sum to `total`.
    """
    if not weights:
        raise ValueError("nothing to allocate to")
    exact = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact):
        raise ValueError(f"negative weight in {weights}")
    whole = sum(exact)
    if whole == 0:
        return [total] + [0] * (len(exact) - 1)
    quotas = [total * w / whole for w in exact]
    floors = [q.numerator // q.denominator for q in quotas]
    left = total - sum(floors)
    by_fraction = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in by_fraction[:left]:
        floors[i] += 1
    return floors
