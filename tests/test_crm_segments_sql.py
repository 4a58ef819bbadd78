"""Segments on a hand-made boutique: the sixth visit, consent, cadence and campaign response."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from pipeline.store.contracts import validate_table
from tests.crm_shop import Shop

NOW = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)  # 13:00 in Seattle: as of 2026-06-30
JUNE = [date(2026, 6, d) for d in (2, 6, 10, 14, 18, 22, 26, 28, 29, 30, 30)]


def _members(shop, square_id=None):
    where, params = "", []
    if square_id:
        where, params = "WHERE customer_id = ?", [shop.customer_id(square_id)]
    return shop.rows(
        f"SELECT segment, since, channel, member_key, marketing FROM marts.segment_memberships "
        f"{where} ORDER BY since, segment",
        params,
    )


def _suppressed(shop, square_id):
    return shop.rows(
        "SELECT segment, since, reason FROM marts.segment_suppressions WHERE customer_id = ? "
        "ORDER BY since, segment",
        [shop.customer_id(square_id)],
    )


def _tees(shop, customer, visits):
    for day in visits:
        shop.sale(customer, day, "VAR-BTQ-TEE-S")


def test_the_sixth_visit_triggers_once_and_the_twelfth_again():
    shop = Shop()
    shop.catalog()
    ben = shop.customer("SQ-BEN", "Ben", "Okafor", "ben.okafor@example.com")
    _tees(shop, ben, JUNE[:5])
    shop.build(NOW)
    cid = shop.customer_id(ben)
    # After the fifth visit his next one is the sixth: one entry, dated that fifth visit.
    expected = [
        ("loyalty_6th_visit", date(2026, 6, 18), "email", f"loyalty_6th_visit:{cid}:visit_6", True)
    ]
    assert _members(shop) == expected
    shop.build(NOW)
    assert _members(shop) == expected
    validate_table(shop.con, "marts.segment_memberships")

    # The sixth visit ends the entry; nothing new until the twelfth is next.
    shop.sale(ben, JUNE[5], "VAR-BTQ-TEE-S")
    shop.build(NOW)
    assert _members(shop) == []
    _tees(shop, ben, JUNE[6:11])
    shop.build(NOW)
    assert _members(shop) == [
        ("loyalty_6th_visit", date(2026, 6, 30), "email", f"loyalty_6th_visit:{cid}:visit_12", True)
    ]


def test_an_opt_out_in_one_system_keeps_her_out_of_marketing_but_not_her_refund_task():
    shop = Shop()
    shop.catalog()
    # HubSpot has her subscribed; Square recorded her unsubscribe. An opt-out anywhere wins.
    cara = shop.customer(
        "SQ-CARA",
        "Cara",
        "Diaz",
        "cara.diaz@example.com",
        preferences={"email_unsubscribed": True},
    )
    shop.hubspot_contact("HS-CARA", "cara.diaz@example.com", "Cara", "Diaz", optout=False)
    _tees(shop, cara, JUNE[:4])
    last = shop.sale(cara, JUNE[4], "VAR-BTQ-TEE-S", "VAR-BTQ-TOTE")
    refund = shop.give_back(last, cara, date(2026, 6, 20), "VAR-BTQ-TOTE")
    shop.build(NOW)
    assert shop.rows(
        "SELECT count(DISTINCT customer_id) FROM core.identity_map WHERE source_id IN (?, ?)",
        ["SQ-CARA", "HS-CARA"],
    ) == [(1,)]
    assert _members(shop, cara) == [
        ("refund_follow_up", date(2026, 6, 20), "task", f"refund_follow_up:{refund}", False)
    ]
    assert _suppressed(shop, cara) == [("loyalty_6th_visit", date(2026, 6, 18), "consent")]


def test_a_customer_without_an_email_is_unreachable_by_email():
    shop = Shop()
    shop.catalog()
    dan = shop.customer("SQ-DAN", "Dan", "Wu", None, phone_number="+12065550123")
    _tees(shop, dan, JUNE[:5])
    shop.build(NOW)
    assert _members(shop) == []
    assert _suppressed(shop, dan) == [("loyalty_6th_visit", date(2026, 6, 18), "unreachable")]


def test_three_entries_in_a_week_admit_two_by_date_then_priority_and_hold_the_third():
    shop = Shop()
    # The Linen Dress is new in the catalog on 22 June.
    shop.catalog({"ITEM-DRS": datetime(2026, 6, 22, 17, tzinfo=UTC)})
    dee = shop.customer("SQ-DEE", "Dee", "Park", "dee.park@example.com")
    shop.sale(dee, date(2026, 6, 1), "VAR-BTQ-TEE-S")
    shop.sale(dee, date(2026, 6, 5), "VAR-BTQ-TEE-S", "VAR-BTQ-TOTE")
    shop.sale(dee, date(2026, 6, 10), "VAR-BTQ-CNDL")
    shop.sale(dee, date(2026, 6, 15), "VAR-BTQ-TEE-S", "VAR-BTQ-TEE-M")
    # Her fifth visit (so loyalty) and her first Highland Wool piece, which makes her a VIP
    # (267.00 in the year): the brand's complement is the Linen Dress.
    shop.sale(dee, date(2026, 6, 24), "VAR-BTQ-SCF", "VAR-BTQ-CNDL")
    shop.build(NOW)
    cid = shop.customer_id(dee)
    assert shop.rows(
        "SELECT vip_tier, net_ltv FROM marts.customer_facts WHERE customer_id = ?", [cid]
    ) == [("silver", Decimal("267.00"))]
    # New arrivals (22 June) comes first by date; on 24 June loyalty (priority 2) beats
    # vip_complements (priority 3) to the second of two emails allowed in seven days.
    assert [(s, d) for s, d, *_ in _members(shop, dee)] == [
        ("new_arrivals_interest", date(2026, 6, 22)),
        ("loyalty_6th_visit", date(2026, 6, 24)),
    ]
    assert _suppressed(shop, dee) == [("vip_complements", date(2026, 6, 24), "cadence")]
    for table in ("marts.segment_memberships", "marts.segment_suppressions"):
        validate_table(shop.con, table)
    assert shop.rows(
        "SELECT suggestions FROM marts.segment_candidates WHERE customer_id = ? "
        "AND segment IN ('vip_complements', 'new_arrivals_interest') ORDER BY segment",
        [cid],
    ) == [("Linen Dress",), ("Linen Dress",)]
    # Recomputed from the entries every run, the decision does not move.
    shop.build(NOW)
    assert _suppressed(shop, dee) == [("vip_complements", date(2026, 6, 24), "cadence")]


def test_lapsed_regulars_enter_sixty_days_after_their_last_visit():
    shop = Shop()
    shop.catalog()
    eve = shop.customer("SQ-EVE", "Eve", "Moss", "eve.moss@example.com")
    first = date(2026, 2, 2)
    _tees(shop, eve, [first + timedelta(days=7 * n) for n in range(6)])
    shop.build(NOW)
    cid = shop.customer_id(eve)
    assert _members(shop, eve) == [
        ("lapsed_regulars", date(2026, 5, 8), "email", f"lapsed_regulars:{cid}:2026-03-09", True)
    ]


def test_campaign_response_counts_the_next_visit_after_entry():
    shop = Shop()
    shop.catalog()
    # Three loyalty entries on 18 June (fifth visits): one back 4 days later, one 10 days
    # later, one not yet.
    for name, back in (("FAY", 4), ("GUS", 10), ("HAL", None)):
        customer = shop.customer(f"SQ-{name}", name.title(), "Ng", f"{name.lower()}@example.com")
        _tees(shop, customer, JUNE[:5])
        if back:
            shop.sale(customer, date(2026, 6, 18) + timedelta(days=back), "VAR-BTQ-TEE-S")
    shop.build(NOW)
    assert shop.rows(
        "SELECT segment, members, purchased, median_days, mean_days, held_back "
        "FROM marts.campaign_response"
    ) == [("loyalty_6th_visit", 3, 2, Decimal("7.0"), Decimal("7.00"), 0)]
    validate_table(shop.con, "marts.campaign_response")
    # Only the one who has not come back is still a member.
    assert [s for s, *_ in _members(shop)] == ["loyalty_6th_visit"]


def test_a_brand_without_curated_complements_falls_back_to_what_is_bought_with_it():
    shop = Shop()
    shop.catalog()
    # Other customers pair the tee (Fern Basics) with a candle twice, with a scarf once.
    for n, other in enumerate(("VAR-BTQ-CNDL", "VAR-BTQ-CNDL", "VAR-BTQ-SCF")):
        customer = shop.customer(f"SQ-O{n}", f"Olga{n}", "Roe", f"olga{n}@example.com")
        shop.sale(customer, date(2026, 5, 4 + n), "VAR-BTQ-TEE-M", other)
    # Ivy is a VIP (two dresses, a scarf: 223.00 + 45.00 = 268.00) trying Fern Basics today.
    ivy = shop.customer("SQ-IVY", "Ivy", "Lau", "ivy.lau@example.com")
    shop.sale(ivy, date(2026, 6, 1), "VAR-BTQ-DRS-S", "VAR-BTQ-DRS-M", "VAR-BTQ-SCF")
    shop.sale(ivy, date(2026, 6, 29), "VAR-BTQ-TEE-S")
    shop.build(NOW)
    cid = shop.customer_id(ivy)
    rows = shop.rows(
        "SELECT member_key, suggestions, is_current FROM marts.segment_candidates "
        "WHERE segment = 'vip_complements' AND customer_id = ? ORDER BY since",
        [cid],
    )
    # 1 June, her first Marlow Linen and Highland Wool pieces: their curated complements are
    # the scarf and tote, and the dress, and she owns all but the tote; the entry ended after
    # 14 days. Today, Fern Basics has no curated complements: bought with candles twice and
    # scarves once, and she owns a scarf, so the candle alone.
    assert rows == [
        (f"vip_complements:{cid}:Marlow Linen", "Canvas Tote", False),
        (f"vip_complements:{cid}:Fern Basics", "Cedar Candle", True),
    ]
