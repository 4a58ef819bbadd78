"""Self-checks of the sandbox's own output, in exact cents, on vendor-shaped dicts.

Used by the sandbox tests (and usable by anyone consuming sandbox data) to prove the demo world is
internally consistent: if these hold, every mismatch a pipeline finds is the pipeline's own bug.
Each function returns a list of human-readable problems; empty means consistent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Json = Mapping[str, Any]


def _amount(value: Json | None) -> int:
    return int(value["amount"]) if value else 0


def order_problems(order: Json) -> list[str]:
    """Square Order identities (sale or return order)."""
    problems: list[str] = []
    oid = order.get("id", "?")

    def check(label: str, actual: int, expected: int) -> None:
        if actual != expected:
            problems.append(f"order {oid}: {label} is {actual}, expected {expected}")

    lines = order.get("line_items") or []
    tenders = order.get("tenders") or []
    total = _amount(order.get("total_money"))
    tip = _amount(order.get("total_tip_money"))
    for line in lines:
        qty = int(line["quantity"])
        mods = sum(_amount(m.get("base_price_money")) for m in line.get("modifiers") or [])
        gross = _amount(line["gross_sales_money"])
        check(f"line {line['uid']} gross", gross, (_amount(line["base_price_money"]) + mods) * qty)
        applied_tax = sum(_amount(t.get("applied_money")) for t in line.get("applied_taxes") or [])
        applied_disc = sum(
            _amount(d.get("applied_money")) for d in line.get("applied_discounts") or []
        )
        check(f"line {line['uid']} tax", _amount(line["total_tax_money"]), applied_tax)
        check(f"line {line['uid']} discount", _amount(line["total_discount_money"]), applied_disc)
        check(
            f"line {line['uid']} total",
            _amount(line["total_money"]),
            gross - applied_disc + applied_tax,
        )
    line_total = sum(_amount(li["total_money"]) for li in lines)
    check("sum(line total)", line_total, total - tip)
    check(
        "total tax",
        _amount(order.get("total_tax_money")),
        sum(_amount(li["total_tax_money"]) for li in lines),
    )
    check(
        "total discount",
        _amount(order.get("total_discount_money")),
        sum(_amount(li["total_discount_money"]) for li in lines),
    )
    for tax in order.get("taxes") or []:
        applied = sum(
            _amount(t["applied_money"])
            for li in lines
            for t in li.get("applied_taxes") or []
            if t["tax_uid"] == tax["uid"]
        )
        check(f"tax {tax['uid']} applied", _amount(tax.get("applied_money")), applied)
    if tenders:
        # Square: tender.amount_money includes tender.tip_money.
        check("sum(tender amount)", sum(_amount(t["amount_money"]) for t in tenders), total)
        check("sum(tender tip)", sum(_amount(t.get("tip_money")) for t in tenders), tip)
    elif lines:
        problems.append(f"order {oid}: sale without tenders")
    net = order.get("net_amounts") or {}
    returned = order.get("return_amounts") or {}
    check(
        "net total", _amount(net.get("total_money")), total - _amount(returned.get("total_money"))
    )
    for ret in order.get("returns") or []:
        items = ret.get("return_line_items") or []
        check(
            "return total",
            sum(_amount(i["total_money"]) for i in items),
            _amount(returned.get("total_money")),
        )
        check(
            "return tax",
            sum(_amount(i["total_tax_money"]) for i in items),
            _amount(returned.get("tax_money")),
        )
        for item in items:
            gross = _amount(item["gross_return_money"])
            check(
                f"return line {item['uid']} total",
                _amount(item["total_money"]),
                gross - _amount(item["total_discount_money"]) + _amount(item["total_tax_money"]),
            )
    refunds = order.get("refunds") or []
    if refunds:
        check(
            "refunds",
            sum(_amount(r["amount_money"]) for r in refunds),
            _amount(returned.get("total_money")),
        )
    return problems


def payment_problems(payment: Json) -> list[str]:
    pid = payment.get("id", "?")
    problems = []
    amount, tip = _amount(payment.get("amount_money")), _amount(payment.get("tip_money"))
    if _amount(payment.get("total_money")) != amount + tip:
        problems.append(f"payment {pid}: total_money != amount_money + tip_money")
    refunded = _amount(payment.get("refunded_money"))
    if refunded > amount + tip:
        problems.append(f"payment {pid}: refunded more than paid")
    return problems


def order_payment_problems(order: Json, payments: Mapping[str, Json]) -> list[str]:
    """Every tender has its payment, with the same money; payments point back at the order."""
    problems = []
    for tender in order.get("tenders") or []:
        payment = payments.get(tender.get("payment_id", ""))
        if payment is None:
            problems.append(f"order {order['id']}: payment {tender.get('payment_id')} missing")
            continue
        if _amount(payment["total_money"]) != _amount(tender["amount_money"]):
            problems.append(f"order {order['id']}: tender/payment total differ")
        if _amount(payment.get("tip_money")) != _amount(tender.get("tip_money")):
            problems.append(f"order {order['id']}: tender/payment tip differ")
        if payment.get("order_id") != order["id"]:
            problems.append(f"payment {payment['id']}: order_id does not point back")
    return problems


def payout_problems(payout: Json, entries: Iterable[Json]) -> list[str]:
    """A payout's amount is the sum of its entries' net amounts; each entry nets gross - fee
    (Square's ListPayoutEntriesResponse example: gross 100, fee 19, net 81; gross -50, fee -2,
    net -48), and a charge's fee is never negative."""
    problems = []
    total = 0
    for entry in entries:
        gross, fee = _amount(entry["gross_amount_money"]), _amount(entry["fee_amount_money"])
        net = _amount(entry["net_amount_money"])
        if net != gross - fee:
            problems.append(f"entry {entry['id']}: net != gross - fee")
        if entry.get("type") == "CHARGE" and fee < 0:
            problems.append(f"entry {entry['id']}: charge with a negative fee")
        total += net
    if total != _amount(payout.get("amount_money")):
        problems.append(
            f"payout {payout['id']}: amount {payout['amount_money']} != entries {total}"
        )
    return problems
