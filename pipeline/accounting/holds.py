"""Input an order must not post with, whatever its accounts: money in another currency than its
business books in, a line that sells nothing or less than nothing, an amount beyond the
business's ceiling. Pure: the order's facts in, the reason it is held (or None) out.

These are checked before anything else about the order (posting.py `_order_problem`), so the
reason names the first thing a person must fix: the order, the line and the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pipeline.kernel.money import to_decimal


@dataclass(frozen=True)
class InputLimits:
    """What a business accepts (reference/businesses.csv currency, reference/posting_limits.csv
    amount_ceiling). None checks nothing: a rule's caller that does not know the business."""

    currency: str | None = None
    ceiling: int | None = None  # cents; an amount above it is held for a person to confirm


NO_LIMITS = InputLimits()


def _line_name(line: Any) -> str:
    return f"line {line.line_uid or '?'} (SKU {line.sku or '?'})"


def _currency_problem(totals: Any, limits: InputLimits) -> str | None:
    # `currencies` holds each currency the order's money fields (and its payments' and
    # refunds') use, with the first field seen in it (staging.stg_square__orders).
    for currency, where in getattr(totals, "currencies", ()):
        if limits.currency and currency != limits.currency:
            return f"{where} is in {currency}; the business books in {limits.currency}"
    return None


def _quantity_problem(lines: Sequence[Any]) -> str | None:
    for line in lines:
        quantity = getattr(line, "quantity", None)
        if quantity is None:
            continue
        if quantity <= 0:
            shown = format(Decimal(quantity).normalize(), "f")  # 0.000 from DECIMAL(18,3) is 0
            return f"{_line_name(line)}: quantity {shown} is not above zero"
    return None


def _ceiling_problem(lines, tenders, order_total: int, limits: InputLimits) -> str | None:
    if limits.ceiling is None:
        return None
    ceiling = to_decimal(limits.ceiling)
    for line in lines:
        for field, cents in (("gross_money", line.gross), ("total_money", line.total)):
            if cents is not None and abs(cents) > limits.ceiling:
                return (
                    f"{_line_name(line)}: {field} {to_decimal(cents)} is above the ceiling "
                    f"of {ceiling}"
                )
    if abs(order_total) > limits.ceiling:
        return f"order total {to_decimal(order_total)} is above the ceiling of {ceiling}"
    for tender in tenders:
        moved = tender.amount + tender.tip
        if abs(moved) > limits.ceiling:
            return (
                f"{tender.fact_kind} {tender.fact_id}: amount {to_decimal(moved)} is above "
                f"the ceiling of {ceiling}"
            )
    return None


def input_problem(
    lines: Sequence[Any], tenders: Sequence[Any], totals: Any, limits: InputLimits
) -> str | None:
    """Why the order's input cannot be posted as it stands, or None. `totals` is the order's
    OrderTotals (None when staging does not have it: posting.py says so)."""
    if totals is not None:
        problem = _currency_problem(totals, limits)
        if problem:
            return problem
    problem = _quantity_problem(lines)
    if problem:
        return problem
    if any(line.gross is None or line.total is None for line in lines):
        return None  # posting.py names the missing amount
    order_total = sum(line.total for line in lines if line.line_kind == "sale")
    if totals is not None:
        order_total += totals.service_charge + totals.tip
    return _ceiling_problem(lines, tenders, order_total, limits)
