"""Money in integer minor units (cents). No float ever holds an amount.

Vendor formats that are not integer cents (Xero JSON numbers, HubSpot decimal strings) are produced
from cents by text formatting, and parsed back through Decimal.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CURRENCY = "USD"


def money(cents: int, currency: str = CURRENCY) -> dict[str, object]:
    """Square's Money object."""
    return {"amount": cents, "currency": currency}


def mul_ratio_half_up(cents: int, num: int, den: int) -> int:
    """cents * num / den rounded half away from zero, in exact integer arithmetic."""
    if cents < 0:
        return -mul_ratio_half_up(-cents, num, den)
    return (cents * num * 2 + den) // (2 * den)


def percent_half_up(cents: int, percent: int) -> int:
    """cents * percent% rounded half-up (whole-number percentages: tips, discounts)."""
    return mul_ratio_half_up(cents, percent, 100)


def processing_fee(gross_cents: int) -> int:
    """Square's card-present fee used by the sandbox: 2.6% + 10 cents, rounded half-up."""
    return mul_ratio_half_up(gross_cents, 26, 1000) + 10


def decimal_text(cents: int) -> str:
    """12345 -> "123.45", -5 -> "-0.05" (HubSpot amounts, Xero JSON numbers, messages)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def cents_from_decimal(value: object) -> int:
    """A JSON-decoded amount (parsed with Decimal, never float) as cents.

    Raises ValueError when it is not a number or has more than two decimal places.
    """
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise ValueError(f"not an amount: {value!r}")
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"more than two decimal places: {value!r}")
    return int(cents)


class XeroAmount:
    """Marker for a Xero decimal number; `web.dumps` writes it as a JSON number like 125.50."""

    __slots__ = ("cents",)

    def __init__(self, cents: int) -> None:
        self.cents = cents

    def __eq__(self, other: object) -> bool:
        return isinstance(other, XeroAmount) and other.cents == self.cents

    def __hash__(self) -> int:
        return hash(self.cents)

    def __repr__(self) -> str:
        return f"XeroAmount({decimal_text(self.cents)})"
