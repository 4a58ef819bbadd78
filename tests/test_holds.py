"""Bad input is held with a reason naming order, line and field; the rest of the day posts.

Hand-computed days in cents: a USD cafe where one order is in EUR, one sells a latte at
quantity 0, one rings up 1 000 000.00; each is held whole (its tenders too) and the day's
other orders post, balanced.
"""

from datetime import date
from decimal import Decimal

from pipeline.accounting.holds import InputLimits
from pipeline.accounting.posting import OrderTotals, SaleLine, TenderFact, post_day
from tests.test_posting import ACCOUNTS, lines_of

DAY = date(2026, 11, 20)
USD_CAFE = InputLimits(currency="USD", ceiling=1_000_000)  # 10 000.00
USD = (("USD", "field total_money"),)


def good_order():
    # Espresso 3.50 + tax 0.31, paid 3.81 by card; fee 0.20.
    line = SaleLine(
        "GOOD", "sale", "4000", "2110", 350, 0, 31, 381, "CAF-ESP", line_uid="l1", quantity=1
    )
    tender = TenderFact("pay_good", "payment", "GOOD", "1010", "6100", 381, 0, 20, "card")
    return [line], [tender], [OrderTotals("GOOD", currencies=USD)]


def post(lines, tenders, orders, limits=USD_CAFE):
    good_lines, good_tenders, good_orders = good_order()
    return post_day(
        "cafe",
        "LCAFE01",
        DAY,
        good_lines + lines,
        good_tenders + tenders,
        good_orders + orders,
        ACCOUNTS,
        limits,
    )


def assert_only_the_good_order_posted(entries):
    sales, fees = entries
    assert lines_of(sales) == {
        ("4000", "Gross sales"): (0, 350),
        ("2110", "Sales tax collected"): (0, 31),
        ("1010", "Tendered: card"): (381, 0),
    }
    assert lines_of(fees) == {
        ("6100", "Processor fees"): (20, 0),
        ("1010", "Processor fees withheld"): (0, 20),
    }


def test_an_eur_order_in_a_usd_business_is_held_and_its_tender_does_not_post():
    line = SaleLine("EUR1", "sale", "4000", "2110", 525, 0, 47, 572, "CAF-LAT-12", line_uid="l1")
    tender = TenderFact("pay_eur", "payment", "EUR1", "1010", "6100", 572, 0, 25, "card")
    order = OrderTotals("EUR1", currencies=(("EUR", "field line_items[0].base_price_money"),))
    entries, held = post([line], [tender], [order])
    assert [(h.order_id, h.reason) for h in held] == [
        ("EUR1", "field line_items[0].base_price_money is in EUR; the business books in USD")
    ]
    assert_only_the_good_order_posted(entries)


def test_an_order_paid_in_another_currency_is_held_naming_the_payment():
    line = SaleLine("MIX", "sale", "4000", "2110", 525, 0, 47, 572, "CAF-LAT-12")
    tender = TenderFact("pay_gbp", "payment", "MIX", "1010", "6100", 572, 0, 25, "card")
    order = OrderTotals("MIX", currencies=(("GBP", "payment pay_gbp field amount_money"), *USD))
    _, held = post([line], [tender], [order])
    assert [(h.order_id, h.reason) for h in held] == [
        ("MIX", "payment pay_gbp field amount_money is in GBP; the business books in USD")
    ]


def test_a_zero_quantity_line_holds_its_order_naming_the_line():
    lines = [
        SaleLine(
            "Z", "sale", "4000", "2110", 525, 0, 47, 572, "CAF-LAT-12", line_uid="z1", quantity=1
        ),
        SaleLine("Z", "sale", "4000", "2110", 0, 0, 0, 0, "CAF-CRS", line_uid="z2", quantity=0),
    ]
    tender = TenderFact("pay_z", "payment", "Z", "1000", None, 572, 0, 0, "cash")
    entries, held = post(lines, [tender], [OrderTotals("Z", currencies=USD)])
    assert [(h.order_id, h.reason) for h in held] == [
        ("Z", "line z2 (SKU CAF-CRS): quantity 0 is not above zero")
    ]
    assert_only_the_good_order_posted(entries)


def test_a_negative_quantity_sale_line_is_held():
    line = SaleLine(
        "N",
        "sale",
        "4000",
        "2110",
        -350,
        0,
        -31,
        -381,
        "CAF-ESP",
        line_uid="n1",
        quantity=Decimal("-1"),
    )
    tender = TenderFact("pay_n", "payment", "N", "1000", None, 0, 0, 0, "cash")
    _, held = post([line], [tender], [OrderTotals("N")])
    assert [h.reason for h in held] == ["line n1 (SKU CAF-ESP): quantity -1 is not above zero"]


def test_an_amount_beyond_the_ceiling_is_held_and_a_lower_ceiling_applies_per_business():
    # A sandwich rung up at 12 000.00: above the 10 000.00 ceiling.
    line = SaleLine(
        "BIG", "sale", "4000", "2110", 1_200_000, 0, 0, 1_200_000, "CAF-SAN", line_uid="b1"
    )
    tender = TenderFact("pay_big", "payment", "BIG", "1010", "6100", 1_200_000, 0, 0, "card")
    entries, held = post([line], [tender], [OrderTotals("BIG", currencies=USD)])
    assert [h.reason for h in held] == [
        "line b1 (SKU CAF-SAN): gross_money 12000.00 is above the ceiling of 10000.00"
    ]
    assert_only_the_good_order_posted(entries)
    # The same order under a business whose ceiling is higher posts.
    _, held = post(
        [line], [tender], [OrderTotals("BIG")], InputLimits(currency="USD", ceiling=2_000_000)
    )
    assert held == []


def test_a_tip_that_takes_a_tender_over_the_ceiling_is_held_naming_the_tender():
    line = SaleLine("T", "sale", "4000", "2110", 900_000, 0, 0, 900_000, "CAF-SAN", line_uid="t1")
    tender = TenderFact("pay_t", "payment", "T", "1010", "6100", 900_000, 200_000, 0, "card")
    _, held = post([line], [tender], [OrderTotals("T", tip=200_000)])
    assert [h.reason for h in held] == ["order total 11000.00 is above the ceiling of 10000.00"]


def test_without_limits_nothing_is_held_for_currency_or_size():
    line = SaleLine(
        "EUR1", "sale", "4000", None, 1_200_000, 0, 0, 1_200_000, "CAF-SAN", line_uid="l1"
    )
    tender = TenderFact("pay_eur", "payment", "EUR1", "1000", None, 1_200_000, 0, 0, "cash")
    order = OrderTotals("EUR1", currencies=(("EUR", "field total_money"),))
    _, held = post([line], [tender], [order], InputLimits())
    assert held == []
