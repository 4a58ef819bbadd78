"""Posting rules on hand-computed days: every amount below is worked out by hand, in cents."""

import dataclasses
import random
from datetime import date
from decimal import Decimal

import pytest

from pipeline.accounting.posting import (
    OrderTotals,
    PartAmounts,
    PostingAccounts,
    RevenuePart,
    SaleLine,
    TenderFact,
    allocate,
    post_day,
    split_line,
)

ACCOUNTS = PostingAccounts(
    discounts="4900",
    returns="4910",
    tips_payable="2200",
    service_charges="4020",
    rounding="6900",
    payout_bank="1090",
    disputed_funds="1250",
    chargeback_losses="6150",
    funds_in_transit="1080",
    square_balance_suspense="1015",
    rounding_cap=5,
)
DAY = date(2026, 11, 20)


def lines_of(entry):
    return {(line.account_code, line.memo): (line.debit, line.credit) for line in entry.lines}


def test_cafe_day_split_tender_tip_discount_fee():
    # Order A: latte 5.25 (tax 8.875% = 0.4659 -> 0.47) + croissant 4.25 (0.3772 -> 0.38),
    # tip 1.00, paid by card 11.35 total (10.35 + 1.00 tip); fee 2.6% + 10c of 11.35 = 0.40.
    # Order B: drip 3.00 with a 10% discount 0.30 -> 2.70, tax 0.24; split cash 1.00 + gift 1.94.
    lines = [
        SaleLine("A", "sale", "4000", "2110", 525, 0, 47, 572, "CAF-LAT-12"),
        SaleLine("A", "sale", "4000", "2110", 425, 0, 38, 463, "CAF-CRS"),
        SaleLine("B", "sale", "4000", "2110", 300, 30, 24, 294, "CAF-DRP-12"),
    ]
    tenders = [
        TenderFact("p1", "payment", "A", "1010", "6100", 1035, 100, 40, "card"),
        TenderFact("p2", "payment", "B", "1000", None, 100, 0, 0, "cash"),
        TenderFact("p3", "payment", "B", "2300", None, 194, 0, 0, "gift_card"),
    ]
    orders = [OrderTotals("A", 0, 100), OrderTotals("B")]
    entries, held = post_day("cafe", "LCAFE01", DAY, lines, tenders, orders, ACCOUNTS)
    assert held == []
    sales, fees = entries
    assert sales.entry_id == "LCAFE01-2026-11-20-SALES"
    assert lines_of(sales) == {
        ("4000", "Gross sales"): (0, 1250),
        ("4900", "Discounts given"): (30, 0),
        ("2110", "Sales tax collected"): (0, 109),
        ("2200", "Tips owed to staff"): (0, 100),
        ("1010", "Tendered: card"): (1135, 0),
        ("1000", "Tendered: cash"): (100, 0),
        ("2300", "Tendered: gift_card"): (194, 0),
    }
    assert sales.total_debit == sales.total_credit == 1459
    assert lines_of(fees) == {
        ("6100", "Processor fees"): (40, 0),
        ("1010", "Processor fees withheld"): (0, 40),
    }


def test_two_jurisdictions_post_to_their_own_tax_accounts():
    seattle = [SaleLine("S", "sale", "4010", "2120", 3200, 0, 331, 3531, "BTQ-TEE-M")]
    portland = [SaleLine("P", "sale", "4010", "2130", 3200, 0, 0, 3200, "BTQ-TEE-M")]
    sea, _ = post_day(
        "boutique",
        "LBTQSEA",
        DAY,
        seattle,
        [TenderFact("s1", "payment", "S", "1010", "6100", 3531, 0, 102, "card")],
        [OrderTotals("S")],
        ACCOUNTS,
    )
    pdx, _ = post_day(
        "boutique",
        "LBTQPDX",
        DAY,
        portland,
        [TenderFact("p1", "payment", "P", "1010", "6100", 3200, 0, 93, "card")],
        [OrderTotals("P")],
        ACCOUNTS,
    )
    assert lines_of(sea[0])[("2120", "Sales tax collected")] == (0, 331)
    assert not any(line.account_code == "2130" for line in pdx[0].lines)


def test_partial_return_reverses_revenue_tax_and_tender():
    # Return order R returns one tee (32.00 + 3.31 tax) of a two-tee sale, to the card.
    lines = [SaleLine("R", "return", "4010", "2120", 3200, 0, 331, 3531, "BTQ-TEE-S")]
    tenders = [TenderFact("r1", "refund", "R", "1010", "6100", -3531, 0, 0, "card")]
    entries, held = post_day(
        "boutique", "LBTQSEA", DAY, lines, tenders, [OrderTotals("R")], ACCOUNTS
    )
    assert held == []
    (returns,) = entries
    assert returns.kind == "RETURNS"
    assert lines_of(returns) == {
        ("4910", "Returns (net of discount)"): (3200, 0),
        ("2120", "Sales tax refunded"): (331, 0),
        ("1010", "Refunded: card"): (0, 3531),
    }


def test_gift_card_sale_goes_to_liability_not_revenue():
    # The line's memo says what it is: value owed back, not a sale (accounts.csv class).
    lines = [
        SaleLine("G", "sale", "2300", None, 2500, 0, 0, 2500, "CAF-GC25", account_class="LIABILITY")
    ]
    tenders = [TenderFact("g1", "payment", "G", "1000", None, 2500, 0, 0, "cash")]
    (sales,), _ = post_day("cafe", "LCAFE01", DAY, lines, tenders, [OrderTotals("G")], ACCOUNTS)
    assert lines_of(sales) == {
        ("2300", "Gift cards and deposits sold (owed to customers)"): (0, 2500),
        ("1000", "Tendered: cash"): (2500, 0),
    }


def test_unmapped_sku_is_held_out_and_named():
    lines = [
        SaleLine("A", "sale", "4000", "2110", 300, 0, 27, 327, "CAF-DRP-12"),
        SaleLine("X", "sale", None, None, 900, 0, 0, 900, "MYSTERY-1"),
    ]
    tenders = [
        TenderFact("p1", "payment", "A", "1000", None, 327, 0, 0, "cash"),
        TenderFact("p2", "payment", "X", "1000", None, 900, 0, 0, "cash"),
    ]
    entries, held = post_day(
        "cafe",
        "LCAFE01",
        DAY,
        lines,
        tenders,
        [OrderTotals("A"), OrderTotals("X")],
        ACCOUNTS,
    )
    assert [h.order_id for h in held] == ["X"]
    assert "MYSTERY-1" in held[0].reason
    assert entries[0].total_debit == 327


@pytest.mark.parametrize(
    ("tendered", "reason"),
    [(326, "tenders 326 <> order total 327"), (0, "tenders 0 <> order total 327")],
)
def test_order_that_does_not_add_up_is_held_out(tendered, reason):
    # Without a rounding allowance even a cent is a reason to hold the order.
    strict = dataclasses.replace(ACCOUNTS, rounding_cap=0)
    lines = [SaleLine("A", "sale", "4000", "2110", 300, 0, 27, 327, "CAF-DRP-12")]
    tenders = [TenderFact("p1", "payment", "A", "1000", None, tendered, 0, 0, "cash")]
    entries, held = post_day(
        "cafe",
        "LCAFE01",
        DAY,
        lines,
        tenders if tendered else [],
        [OrderTotals("A")],
        strict,
    )
    assert entries == []
    assert held[0].reason == reason


def test_payment_without_staged_order_is_held_out():
    tenders = [TenderFact("p9", "payment", "GONE", "1010", "6100", 500, 0, 23, "card")]
    entries, held = post_day("cafe", "LCAFE01", DAY, [], tenders, [], ACCOUNTS)
    assert entries == []
    assert held[0].order_id == "GONE"


def test_exchange_posts_sale_and_return_lines_in_one_balanced_entry():
    # Return a small tee (32.00 + 3.31 tax), take a dress (89.00 + 9.21 tax); card pays 62.90.
    lines = [
        SaleLine("E", "return", "4010", "2120", 3200, 0, 331, 3531, "BTQ-TEE-S"),
        SaleLine("E", "sale", "4010", "2120", 8900, 0, 921, 9821, "BTQ-DRS-M"),
    ]
    tenders = [TenderFact("p1", "payment", "E", "1010", "6100", 6290, 0, 174, "card")]
    entries, held = post_day(
        "boutique", "LBTQSEA", DAY, lines, tenders, [OrderTotals("E")], ACCOUNTS
    )
    assert held == []
    sales = entries[0]
    assert sales.kind == "SALES"
    assert lines_of(sales) == {
        ("4010", "Gross sales"): (0, 8900),
        ("2120", "Sales tax collected"): (0, 921),
        ("4910", "Returns (net of discount)"): (3200, 0),
        ("2120", "Sales tax refunded"): (331, 0),
        ("1010", "Tendered: card"): (6290, 0),
    }
    assert sales.total_debit == sales.total_credit == 9821


def test_fee_without_fee_account_is_held_out_not_guessed():
    lines = [SaleLine("A", "sale", "4000", "2110", 300, 0, 27, 327, "CAF-DRP-12")]
    tenders = [TenderFact("p1", "payment", "A", "1010", None, 327, 0, 11, "card")]
    entries, held = post_day("cafe", "LCAFE01", DAY, lines, tenders, [OrderTotals("A")], ACCOUNTS)
    assert entries == []
    assert held[0].reason == "tender p1 has a processor fee but no fee account"


def test_line_with_missing_amount_is_held_out():
    lines = [SaleLine("A", "sale", "4000", "2110", None, 0, 27, 327, "CAF-DRP-12")]
    tenders = [TenderFact("p1", "payment", "A", "1000", None, 327, 0, 0, "cash")]
    entries, held = post_day("cafe", "LCAFE01", DAY, lines, tenders, [OrderTotals("A")], ACCOUNTS)
    assert entries == []
    assert held[0].reason == "line of SKU CAF-DRP-12 has an amount missing"


# A latte (5.25) with oat milk (0.75) and an extra shot (1.00), 10% off, NYC tax 8.875%:
# gross 7.00, discount 0.70, tax 8.875% of 6.30 = 0.559 -> 0.56, total 6.86.
LATTE = SaleLine(
    "M",
    "sale",
    "4000",
    "2110",
    700,
    70,
    56,
    686,
    "CAF-LAT-12",
    parts=(
        RevenuePart("item", "CAF-LAT-12", "4000", share=Decimal(1)),
        RevenuePart("modifier", "MOD-OAT-MILK", "4030", amount=75),
        RevenuePart("modifier", "MOD-EXTRA-SHOT", "4030", amount=100),
    ),
)
# A Coffee & Croissant bundle (6.95: drip 35% to 4000, croissant 65% to 4005) with vanilla
# syrup (0.60): gross 7.55, discount 0.76, tax 8.875% of 6.79 = 0.6026 -> 0.60, total 7.39.
COMBO = SaleLine(
    "M",
    "sale",
    None,
    "2110",
    755,
    76,
    60,
    739,
    "CAF-CC",
    parts=(
        RevenuePart("component", "CAF-DRP-12", "4000", share=Decimal("0.35")),
        RevenuePart("component", "CAF-CRS", "4005", share=Decimal("0.65")),
        RevenuePart("modifier", "MOD-VANILLA-SYRUP", "4030", amount=60),
    ),
)


def test_modifier_line_splits_discount_and_tax_by_largest_remainder():
    # Gross: item 7.00 - 0.75 - 1.00 = 5.25. Discount 70 over 525/75/100: 52.5, 7.5, 10 ->
    # floors 52, 7, 10 leave 1 cent; the tie at .5 goes to the first part -> 53, 7, 10.
    # Tax 56: 42, 6, 8 exactly.
    assert split_line(LATTE) == [
        PartAmounts("4000", 525, 53, 42),
        PartAmounts("4030", 75, 7, 6),
        PartAmounts("4030", 100, 10, 8),
    ]


def test_bundle_line_splits_by_component_share_to_the_cent():
    # The modifiers leave 6.95 for the components: 35% = 243.25, 65% = 451.75 -> 243 and 452.
    # Discount 76 over 243/452/60 (755): 24.46, 45.50, 6.04 -> 24, 46, 6.
    # Tax 60: 19.31, 35.92, 4.77 -> floors 19, 35, 4 leave 2 cents -> 19, 36, 5.
    parts = split_line(COMBO)
    assert parts == [
        PartAmounts("4000", 243, 24, 19),
        PartAmounts("4005", 452, 46, 36),
        PartAmounts("4030", 60, 6, 5),
    ]
    assert sum(p.gross - p.discount + p.tax for p in parts) == COMBO.total


def test_order_with_modifiers_and_a_bundle_posts_each_part_to_its_account():
    tenders = [TenderFact("p1", "payment", "M", "1000", None, 1425, 0, 0, "cash")]
    entries, held = post_day(
        "cafe", "LCAFE01", DAY, [LATTE, COMBO], tenders, [OrderTotals("M")], ACCOUNTS
    )
    assert held == []
    (sales,) = entries
    assert lines_of(sales) == {
        ("4000", "Gross sales"): (0, 525 + 243),
        ("4005", "Gross sales"): (0, 452),
        ("4030", "Gross sales"): (0, 75 + 100 + 60),
        ("4900", "Discounts given"): (70 + 76, 0),
        ("2110", "Sales tax collected"): (0, 56 + 60),
        ("1000", "Tendered: cash"): (1425, 0),
    }
    assert sales.total_debit == sales.total_credit == 1571


def test_unmapped_modifier_holds_the_order_out_and_names_it():
    line = SaleLine(
        "M",
        "sale",
        "4000",
        "2110",
        700,
        0,
        62,
        762,
        "CAF-LAT-12",
        parts=(
            RevenuePart("item", "CAF-LAT-12", "4000", share=Decimal(1)),
            RevenuePart("modifier", "MOD-HONEY", None, amount=175),
        ),
    )
    tenders = [TenderFact("p1", "payment", "M", "1000", None, 762, 0, 0, "cash")]
    entries, held = post_day("cafe", "LCAFE01", DAY, [line], tenders, [OrderTotals("M")], ACCOUNTS)
    assert entries == []
    assert held[0].order_id == "M"
    assert held[0].reason == "modifier MOD-HONEY has no revenue account in the crosswalk"


def test_bundle_whose_shares_do_not_sum_to_one_is_not_guessed():
    line = SaleLine(
        "B",
        "sale",
        None,
        "2110",
        695,
        0,
        0,
        695,
        "CAF-CC",
        parts=(
            RevenuePart("component", "CAF-DRP-12", "4000", share=Decimal("0.35")),
            RevenuePart("component", "CAF-CRS", "4005", share=Decimal("0.60")),
        ),
    )
    with pytest.raises(ValueError, match="bundle CAF-CC: component shares do not sum to 1"):
        split_line(line)


def test_allocate_is_exact_and_deterministic():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(0, [5, 3]) == [0, 0]
    assert allocate(7, [0, 0]) == [7, 0]
    rng = random.Random(3)
    for _ in range(500):
        weights = [rng.randint(0, 5000) for _ in range(rng.randint(1, 6))]
        total = rng.randint(0, 10_000)
        parts = allocate(total, weights)
        assert sum(parts) == total
        whole = sum(weights)
        for part, weight in zip(parts, weights, strict=True):
            # Never more than one cent away from the exact share.
            exact = total * weight / whole if whole else None
            if exact is not None:
                assert abs(part - exact) < 1


def test_a_gap_within_the_rounding_cap_is_booked_to_rounding():
    # Cash rounded to the nickel: a 5.72 order paid with 5.70 in cash.
    lines = [SaleLine("R", "sale", "4000", "2110", 525, 0, 47, 572, "CAF-LAT-12")]
    tenders = [TenderFact("c1", "payment", "R", "1000", None, 570, 0, 0, "cash")]
    (sales,), held = post_day("cafe", "LCAFE01", DAY, lines, tenders, [OrderTotals("R")], ACCOUNTS)
    assert held == []
    assert lines_of(sales) == {
        ("4000", "Gross sales"): (0, 525),
        ("2110", "Sales tax collected"): (0, 47),
        ("1000", "Tendered: cash"): (570, 0),
        ("6900", "Rounding"): (2, 0),
    }


def test_a_gap_over_the_rounding_cap_holds_the_order_and_says_why():
    lines = [SaleLine("X", "sale", "4000", "2110", 525, 0, 47, 572, "CAF-LAT-12")]
    tenders = [TenderFact("c1", "payment", "X", "1000", None, 560, 0, 0, "cash")]
    entries, held = post_day("cafe", "LCAFE01", DAY, lines, tenders, [OrderTotals("X")], ACCOUNTS)
    assert entries == []
    assert held[0].reason == "tenders 560 <> order total 572: -12 cents over the rounding cap of 5"
