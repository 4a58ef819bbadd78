"""Property-based: over thousands of random business days, every entry balances and, once the
processor pays out, the clearing account nets to zero (what came in = payouts + fees + holds)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.accounting.posting import (
    OrderTotals,
    RevenuePart,
    SaleLine,
    TenderFact,
    post_day,
)
from pipeline.accounting.settlement import Deposit, DisputeMovement, Payout, post_settlement
from tests.test_posting import ACCOUNTS

DAY = date(2026, 11, 17)
CLEARING = "1010"
TENDERS = {  # kind -> (clearing account, fee account)
    "card": (CLEARING, "6100"),
    "wallet": (CLEARING, "6100"),
    "cash": ("1000", None),
    "gift_card": ("2300", None),
}


@st.composite
def sale_lines(draw, order_id: str, kind: str):
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        gross = draw(st.integers(1, 50_000))
        discount = draw(st.integers(0, gross // 2))
        tax = draw(st.integers(0, gross // 8))
        modifier = draw(st.integers(0, gross // 3)) if kind == "sale" else 0
        parts = ()
        if modifier:
            # A modifier at its POS price to its own account; the item takes the rest.
            parts = (
                RevenuePart("item", "SKU", "4000", share=Decimal(1)),
                RevenuePart("modifier", "MOD", "4010", amount=modifier),
            )
        lines.append(
            SaleLine(
                order_id,
                kind,
                draw(st.sampled_from(["4000", "4010", "4020"])),
                draw(st.sampled_from(["2110", "2140"])),  # two jurisdictions
                gross,
                discount,
                tax,
                gross - discount + tax,
                "SKU",
                parts,
            )
        )
    return lines


@st.composite
def split(draw, total: int, order_id: str, kind: str, n: int):
    """Tender facts paying `total` (negative for refunds) over one or two tenders."""
    sign = 1 if total >= 0 else -1
    first = draw(st.integers(0, abs(total))) if n == 2 else abs(total)
    amounts = [first, abs(total) - first][:n]
    facts = []
    for k, amount in enumerate(amounts):
        tender = draw(st.sampled_from(sorted(TENDERS)))
        clearing, fee_account = TENDERS[tender]
        fee = (amount * 26 // 1000 + 10) if fee_account and amount else 0
        facts.append(
            TenderFact(
                f"{kind}-{order_id}-{k}",
                "payment" if sign > 0 else "refund",
                order_id,
                clearing,
                fee_account,
                sign * amount,
                0,
                sign * fee,
                tender,
            )
        )
    return facts


@st.composite
def days(draw):
    lines, tenders, orders = [], [], []
    for n in range(draw(st.integers(1, 12))):
        order_id = f"o{n}"
        kind = draw(st.sampled_from(["sale", "sale", "sale", "return"]))
        order_lines = draw(sale_lines(order_id, kind))
        total = sum(line.total for line in order_lines)
        tip = draw(st.integers(0, 2_000)) if kind == "sale" else 0
        service = draw(st.integers(0, 1_500)) if kind == "sale" else 0
        due = total + tip + service if kind == "sale" else -total
        facts = draw(split(due, order_id, kind, draw(st.integers(1, 2))))
        if tip and facts:
            # The tip rides on the first tender, as a card tip does.
            head = facts[0]
            facts[0] = TenderFact(
                head.fact_id,
                head.fact_kind,
                head.order_id,
                head.clearing_account,
                head.fee_account,
                head.amount - tip,
                tip,
                head.fee,
                head.tender_type,
            )
        lines += order_lines
        tenders += facts
        orders.append(OrderTotals(order_id, service_charge=service, tip=tip))
    return lines, tenders, orders


def balances(entries) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for entry in entries:
        for line in entry.lines:
            totals[line.account_code] += line.debit - line.credit
    return totals


@settings(max_examples=2000, deadline=None)
@given(days(), st.data())
def test_every_entry_balances_and_clearing_nets_to_payouts_plus_fees(day, data):
    lines, tenders, orders = day
    entries, held = post_day("cafe", "LCAFE01", DAY, lines, tenders, orders, ACCOUNTS)
    assert held == []
    for entry in entries:
        assert entry.total_debit == entry.total_credit

    # The processor withholds some card payments for disputes, and pays out the rest net of fees.
    card = [t for t in tenders if t.clearing_account == CLEARING]
    disputed = [
        t for t in card if t.fact_kind == "payment" and data.draw(st.booleans(), label="dispute")
    ]
    holds = [DisputeMovement(f"d-{t.fact_id}", CLEARING, -(t.amount + t.tip)) for t in disputed]
    net = sum(t.amount + t.tip - t.fee for t in card) + sum(h.amount for h in holds)
    payouts = [Payout("po-1", CLEARING, net)] if net else []
    settled = post_settlement("cafe", "LCAFE01", DAY, payouts, holds, ACCOUNTS)
    # Sent today, it is in transit until it arrives.
    assert balances(entries + settled).get("1080", 0) == net
    arrived = post_settlement(
        "cafe", "LCAFE01", DAY, [], [], ACCOUNTS, deposits=[Deposit("po-1", net)] if net else []
    )
    settled += arrived
    for entry in settled:
        assert entry.total_debit == entry.total_credit

    books = balances(entries + settled)
    assert books.get(CLEARING, 0) == 0
    assert books.get("1080", 0) == 0
    assert books.get("1090", 0) == net
    assert books.get("1250", 0) == sum(-h.amount for h in holds)
    assert sum(books.values()) == 0
