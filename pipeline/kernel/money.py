"""Money is integer minor units in Python and DECIMAL(18,2) in DuckDB; never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_decimal(cents: int) -> Decimal:
    return (Decimal(int(cents)) * CENT).quantize(CENT)


def to_cents(value: Decimal | int | str) -> int:
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return int(amount * 100)


def is_whole_cents(amount: Decimal) -> bool:
    """True when an amount carries no fraction of a cent (what exports and ledgers may state)."""
    return amount == amount.quantize(CENT)
