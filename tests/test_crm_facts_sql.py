"""Customer facts and lifetime value on a hand-made boutique, built from raw Square records."""

from datetime import UTC, date, datetime
from decimal import Decimal

from pipeline.store.contracts import validate_table
from tests.crm_shop import Shop

NOW = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)  # 13:00 in Seattle: as of 2026-06-30
# What posting a day reads besides the CRM's own inputs.
JOURNAL_INPUTS = (
    "core.unmapped_items",
    "core.sales_line_parts",
    "core.tenders",
    "staging.stg_square__payouts",
    "staging.stg_square__payout_entries",
    "staging.stg_square__disputes",
    "staging.stg_xero__bank_transactions",
    "marts.reconciliation",
)


def _facts(shop, square_id):
    return shop.rows(
        "SELECT visits, first_purchase, last_purchase, gross_sales, refunds, net_ltv, vip_tier, "
        "categories, brands, sizes FROM marts.customer_facts WHERE customer_id = ?",
        [shop.customer_id(square_id)],
    )[0]


def _ava() -> tuple[Shop, str, str]:
    shop = Shop()
    shop.catalog()
    ava = shop.customer("SQ-AVA", "Ava", "Lind", "ava.lind@example.com")
    # Dress 89.00 less 5.00 off, scarf 45.00: 129.00 before tax; the 2.00 tip is staff's.
    first = shop.sale(ava, date(2026, 3, 10), "VAR-BTQ-DRS-M", "VAR-BTQ-SCF", discount=500, tip=200)
    # Dress 89.00 and tee 32.00: 121.00. Lifetime 250.00, exactly boutique silver.
    second = shop.sale(ava, date(2026, 5, 2), "VAR-BTQ-DRS-S", "VAR-BTQ-TEE-M")
    return shop, first, second


def test_net_ltv_is_sales_less_discounts_before_tax_and_tips_and_names_what_was_bought():
    shop, _, _ = _ava()
    shop.build(datetime(2026, 6, 24, 20, tzinfo=UTC))
    assert _facts(shop, "SQ-AVA") == (
        2,
        date(2026, 3, 10),
        date(2026, 5, 2),
        Decimal("250.00"),
        Decimal("0.00"),
        Decimal("250.00"),
        "silver",
        "Accessories;Apparel",
        "Fern Basics;Highland Wool Co;Marlow Linen",
        # The scarf comes in one size only: no size is learnt from it.
        "Medium;Small",
    )
    for table in ("marts.customer_ltv", "marts.customer_facts"):
        validate_table(shop.con, table)


def test_a_refunded_return_lowers_ltv_and_drops_the_tier_a_pending_refund_does_not():
    shop, _, second = _ava()
    # The tee comes back and is refunded: 32.00 off. The dress's refund is still pending.
    shop.give_back(second, "SQ-AVA", date(2026, 6, 25), "VAR-BTQ-TEE-M")
    shop.give_back(second, "SQ-AVA", date(2026, 6, 26), "VAR-BTQ-DRS-S", status="PENDING")
    shop.build(NOW)
    visits, *_, gross, refunds, net, tier, _, _, _ = _facts(shop, "SQ-AVA")
    # A return is no visit.
    assert visits == 2
    assert (gross, refunds, net) == (Decimal("250.00"), Decimal("32.00"), Decimal("218.00"))
    assert tier is None
    assert shop.rows(
        "SELECT gross_sales, refunds, net_ltv FROM marts.customer_ltv WHERE customer_id = ?",
        [shop.customer_id("SQ-AVA")],
    ) == [(Decimal("250.00"), Decimal("32.00"), Decimal("218.00"))]


def test_a_failed_refund_leaves_ltv_and_tier_alone():
    shop, _, second = _ava()
    shop.give_back(second, "SQ-AVA", date(2026, 6, 25), "VAR-BTQ-TEE-M", status="FAILED")
    shop.build(NOW)
    _, _, _, gross, refunds, net, tier, *_ = _facts(shop, "SQ-AVA")
    assert (gross, refunds, net, tier) == (
        Decimal("250.00"),
        Decimal("0.00"),
        Decimal("250.00"),
        "silver",
    )


def test_ltv_agrees_with_what_the_journal_books_for_the_same_orders():
    from pipeline.store.journal_posting import post_business_day

    shop, _, second = _ava()
    shop.give_back(second, "SQ-AVA", date(2026, 6, 25), "VAR-BTQ-TEE-M")
    shop.build(NOW, also=JOURNAL_INPUTS)
    for day in (date(2026, 3, 10), date(2026, 5, 2), date(2026, 6, 25)):
        _, held = post_business_day(shop.con, day, ["boutique"], NOW, "test")
        assert held == []
    # Revenue credited less discounts given, less returns (whichever account a return's reason
    # books it to): the customer's net value, to the cent.
    (journal,) = shop.rows(
        "SELECT sum(l.credit) FILTER (WHERE l.memo = 'Gross sales') "
        "- sum(l.debit) FILTER (WHERE l.memo = 'Discounts given') "
        "- sum(l.debit) FILTER (WHERE l.memo LIKE 'Returns%') "
        "FROM marts.journal_lines AS l"
    )[0]
    assert journal == Decimal("218.00") == _facts(shop, "SQ-AVA")[5]


def test_a_return_of_a_sale_before_the_loaded_history_is_a_customer_without_visits():
    shop = Shop()
    shop.catalog()
    shop.customer("SQ-IDA", "Ida", "Berg", "ida.berg@example.com")
    # The tee was sold before the warehouse's first day: only its return is here.
    shop.give_back("ORD-BEFORE", "SQ-IDA", date(2026, 6, 12), "VAR-BTQ-TEE-S")
    shop.build(NOW)
    visits, first, last, gross, refunds, net, tier, *_ = _facts(shop, "SQ-IDA")
    assert (visits, first, last, tier) == (0, None, None, None)
    assert (gross, refunds, net) == (Decimal("0.00"), Decimal("32.00"), Decimal("-32.00"))
    assert shop.rows("SELECT sum(net_ltv) FROM marts.customer_ltv") == [(Decimal("-32.00"),)]
