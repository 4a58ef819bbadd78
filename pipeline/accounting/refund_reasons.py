"""Which refund reason a return order's lines post with (reference/refund_reasons.csv).

A reason decides the return's memo and the account its net amount books to (returns, or a cost
of service such as goodwill). Staff may name it in the refund-reason form; otherwise the POS's
free-text reason is looked up in the reasons' `pos_reasons`. A return order takes one reason:
that of its first refund (by refund id) that has one.

Pure functions; the store reads the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class RefundReason:
    """A row of reference/refund_reasons.csv."""

    reason: str
    label: str
    account_code: str
    pos_reasons: str = ""  # the POS's free-text reasons it covers, separated by '|'


@dataclass(frozen=True)
class ReturnRefund:
    """A refund of a return order, with the reasons recorded for it."""

    business_id: str
    order_id: str
    refund_id: str
    pos_reason: str | None  # what the POS recorded (Square's refund reason), if anything
    form_reason: str | None = None  # what staff picked in the refund-reason form, if anything


def reason_for_pos_text(pos_reason: str | None, reasons: Iterable[RefundReason]) -> str | None:
    """The reason whose `pos_reasons` lists the POS's text exactly; the lowest code if several."""
    if pos_reason is None:
        return None
    matches = [
        r.reason for r in reasons if r.pos_reasons and pos_reason in r.pos_reasons.split("|")
    ]
    return min(matches, default=None)


def refund_reason(refund: ReturnRefund, reasons: Mapping[str, RefundReason]) -> RefundReason | None:
    """The staff form's reason wins, else the POS text's. A form reason no longer in the
    reference data gives none: it is not silently replaced by the POS's."""
    code = refund.form_reason
    if code is None:
        code = reason_for_pos_text(refund.pos_reason, reasons.values())
    return reasons.get(code) if code is not None else None


def return_order_reasons(
    refunds: Iterable[ReturnRefund], reasons: Iterable[RefundReason]
) -> dict[tuple[str, str], RefundReason]:
    """(business_id, order_id) -> the reason of the order's first refund (by id) that has one."""
    by_code = {r.reason: r for r in reasons}
    chosen: dict[tuple[str, str], RefundReason] = {}
    for refund in sorted(refunds, key=lambda r: (r.business_id, r.order_id, r.refund_id)):
        key = (refund.business_id, refund.order_id)
        if key in chosen:
            continue
        reason = refund_reason(refund, by_code)
        if reason is not None:
            chosen[key] = reason
    return chosen
