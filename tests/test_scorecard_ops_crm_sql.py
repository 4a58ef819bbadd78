"""The scorecard's sync, freshness and CRM metrics on a hand-made cafe (and boutique) week, every
expected value computed by hand in the comments; the run's clock is 2026-11-20 12:00 UTC."""

from datetime import date
from decimal import Decimal as D

from tests.scorecard_world import CAFE, LOC, World, d, utc

SYNC = "marts.metric_sync_errors"
FRESH = "marts.metric_freshness"


def _extracts(w: World) -> None:
    # Square orders for Tue 17th, extracted twice: the re-run (13:00) replaced the partition
    # with 9 records and 1 dead letter; the first run's 10 clean records are history.
    w.extract("square", "orders", "2026-11-17", 10, 0, utc(18, 12), "r1")
    w.extract("square", "orders", "2026-11-17", 9, 1, utc(18, 13), "r2")
    # Payments for the 17th: 10 landed, of which staging dead-lettered 1 (a bad amount).
    w.extract("square", "payments", "2026-11-17", 10, 0, utc(18, 12))
    w.dead_letter(
        1, "staging:stg_square__payments", "square", "payments", "2026-11-17", utc(18, 12)
    )
    # Orders for Wed 18th: 5 clean, extracted at 12:00 on the 19th.
    w.extract("square", "orders", "2026-11-18", 5, 0, utc(19, 12))
    # HubSpot contacts are one undated listing, extracted at 03:00 UTC on the 19th (22:00 on
    # the 18th in New York).
    w.extract("hubspot", "contacts", None, 4, 0, utc(19, 3))


def test_read_error_rate_per_connector_uses_the_latest_extract_and_staging_dead_letters():
    w = World()
    _extracts(w)
    w.build(SYNC)
    # 17th: errors 1 (orders) + 1 (staging) = 2 of (9 + 1) + 10 = 20 received -> 10.00 %.
    # 18th: 0 of 5.
    assert w.values(SYNC, "sync_errors_square_read_pct") == {
        (d(17), None): D("10.00"),
        (d(18), None): D("0.00"),
    }
    # The undated HubSpot listing counts on its extract's local date, the 18th.
    assert w.values(SYNC, "sync_errors_hubspot_read_pct") == {(d(18), None): D("0.00")}
    # The week: 2 of 25 = 8.00 % (the days' rates would average 5.00).
    assert w.values(SYNC, "sync_errors_square_read_pct", "week") == {(d(16), None): D("8.00")}


def test_write_error_rate_per_connector_counts_items_whose_last_attempt_failed():
    w = World()
    # Two Xero journals written on the 18th, one still failed; one more on the 19th, posted.
    w.sync("xero:ManualJournals:cafe", "E1", "posted", utc(18, 15))
    w.sync("xero:ManualJournals:cafe", "E2", "failed", utc(18, 15))
    w.sync("xero:ManualJournals:cafe", "E3", "posted", utc(19, 15))
    # HubSpot targets carry the business in their key: one task sent, one failed, the 18th.
    w.sync("hubspot.tasks", "hubspot.tasks:cafe:abc", "sent", utc(18, 15))
    w.sync("hubspot.tasks", "hubspot.tasks:cafe:def", "failed", utc(18, 15))
    # Another business's write is not the cafe's.
    w.sync("xero:ManualJournals:studio", "S1", "failed", utc(18, 15))
    w.build(SYNC)
    assert w.values(SYNC, "sync_errors_xero_write_pct") == {
        (d(18), None): D("50.00"),
        (d(19), None): D("0.00"),
    }
    assert w.values(SYNC, "sync_errors_hubspot_write_pct") == {(d(18), None): D("50.00")}
    # The week: 1 of 3 = 33.33 %.
    assert w.values(SYNC, "sync_errors_xero_write_pct", "week") == {(d(16), None): D("33.33")}
    studio = w.con.execute(
        f"SELECT value FROM {SYNC} WHERE business_id = 'studio' AND grain = 'day'"
    ).fetchall()
    assert studio == [(D("100.00"),)]


def test_freshness_per_source_is_the_stalest_entity_on_the_runs_clock():
    w = World()
    _extracts(w)
    w.build(FRESH)
    # Clock 20th 12:00. 17th: orders last at 18th 13:00 (47 h), payments 18th 12:00 (48 h):
    # the stalest, 48.00. 18th: orders at 19th 12:00 -> 24.00. HubSpot's listing (19th 03:00)
    # covers every day: 33.00.
    assert w.values(FRESH, "data_freshness_square_hours") == {
        (d(17), None): D("48.00"),
        (d(18), None): D("24.00"),
    }
    assert w.values(FRESH, "data_freshness_hubspot_hours") == {
        (d(17), None): D("33.00"),
        (d(18), None): D("33.00"),
    }
    # The week's worst day.
    assert w.values(FRESH, "data_freshness_square_hours", "week") == {(d(16), None): D("48.00")}
    # A re-run on the same clock stores the same values.
    before = w.con.execute(f"SELECT * FROM {FRESH} ORDER BY ALL").fetchall()
    w.build(FRESH)
    assert w.con.execute(f"SELECT * FROM {FRESH} ORDER BY ALL").fetchall() == before


def _purchase(w, customer, order, day, hour, amount, kind="sale", counts=True, business=CAFE):
    location = LOC if business == CAFE else "LBTQSEA"
    w.insert(
        "core.customer_purchases",
        [(business, customer, order, location, day, utc(day.day, hour), kind, D(amount), counts)],
    )


def test_repeat_revenue_share_counts_second_and_later_visits_of_identified_customers():
    w = World()
    _purchase(w, "ann", "A1", d(16), 14, "20.00")  # Ann's 1st visit
    _purchase(w, "ann", "A2", d(16), 19, "30.00")  # her 2nd, the same day
    _purchase(w, "bob", "B1", d(17), 14, "40.00")  # Bob's 1st
    _purchase(w, "ann", "A3", d(18), 14, "10.00")  # Ann's 3rd
    # Bob's 2nd visit buys a gift card: owed back, not revenue, in neither part.
    _purchase(w, "bob", "B2", d(18), 15, "25.00", counts=False)
    w.build("marts.customer_visits", "marts.metric_repeat_revenue")
    model = "marts.metric_repeat_revenue"
    # 16th: 30 / 50 = 60 %; 17th: 0 / 40; 18th: 10 / 10 = 100 %.
    assert w.values(model, "repeat_revenue_share_pct") == {
        (d(16), LOC): D("60.00"),
        (d(17), LOC): D("0.00"),
        (d(18), LOC): D("100.00"),
    }
    # The week: 40 / 100 = 40 % (the days' shares would average 53.33).
    assert w.values(model, "repeat_revenue_share_pct", "week") == {(d(16), LOC): D("40.00")}


def test_campaign_response_speed_over_admitted_entries():
    w = World()
    _purchase(w, "ann", "A1", d(16), 14, "20.00")  # the qualifying visit: not a response
    _purchase(w, "ann", "A2", d(18), 14, "30.00")  # 2 days after her entry
    _purchase(w, "bob", "B1", d(17), 14, "40.00")  # 1 day after his
    _purchase(w, "dee", "D1", d(17), 14, "15.00")  # held back: not contacted, not counted
    w.insert(
        "marts.segment_candidates",
        [
            (CAFE, "loyalty_6th_visit", "ann", "k1", d(16), None),
            (CAFE, "loyalty_6th_visit", "bob", "k2", d(16), None),
            (CAFE, "loyalty_6th_visit", "cy", "k3", d(17), None),  # no visit since
            (CAFE, "loyalty_6th_visit", "dee", "k4", d(16), "consent"),
        ],
    )
    w.build("marts.metric_campaign_response")
    model = "marts.metric_campaign_response"
    # 16th: ann 2, bob 1 -> median 1.50, 2 of 2 = 100 %; 17th: cy none -> NULL, 0 %.
    assert w.values(model, "campaign_response_days") == {
        (d(16), None): D("1.50"),
        (d(17), None): None,
    }
    assert w.values(model, "campaign_response_rate_pct") == {
        (d(16), None): D("100.00"),
        (d(17), None): D("0.00"),
    }
    # The week: median of [2, 1] = 1.50; 2 of 3 entries = 66.67 %.
    assert w.values(model, "campaign_response_rate_pct", "week") == {(d(16), None): D("66.67")}
    assert w.values(model, "campaign_response_days", "week") == {(d(16), None): D("1.50")}


def test_segment_uplift_against_held_back_entries_of_the_same_segment():
    w = World()
    btq = "boutique"
    w.insert("core.crm_as_of", [(btq, date(2026, 11, 30))])
    entries = []
    # vip_complements, entered Mon 16th: 5 members spend 100, 0, 50 (60 less a 10 return), 20,
    # 30 in the 7 days after (17th..23rd) -> mean 40.00; 5 held back spend 10, 0, 20, 0, 0 ->
    # mean 6.00. Difference 34.00.
    member_spend = {"m1": ["100.00"], "m2": [], "m3": ["60.00", "-10.00"], "m4": ["20.00"]}
    member_spend["m5"] = ["30.00"]
    held_spend = {"h1": ["10.00"], "h2": [], "h3": ["20.00"], "h4": [], "h5": []}
    for who, amounts in {**member_spend, **held_spend}.items():
        held = "consent" if who.startswith("h") else None
        entries.append((btq, "vip_complements", who, f"vip-{who}", d(16), held))
        for n, amount in enumerate(amounts):
            kind = "return" if amount.startswith("-") else "sale"
            _purchase(w, who, f"{who}-{n}", d(18), 12, amount.lstrip("-"), kind, business=btq)
    # Outside the window: the entry day itself, and the 24th (8 days after).
    _purchase(w, "m2", "m2-day0", d(16), 12, "500.00", business=btq)
    _purchase(w, "h2", "h2-late", d(24), 12, "500.00", business=btq)
    # refund_follow_up, entered Tue 17th: 2 members spend 0 and 10 (mean 5.00), 1 held back
    # spends 0: difference 5.00.
    entries += [
        (btq, "refund_follow_up", "r1", "rf-r1", d(17), None),
        (btq, "refund_follow_up", "r2", "rf-r2", d(17), None),
        (btq, "refund_follow_up", "r3", "rf-r3", d(17), "unreachable"),
    ]
    _purchase(w, "r2", "r2-0", d(20), 12, "10.00", business=btq)
    # Entered the 25th: its 7 days end Dec 2nd, after the as-of date: not counted yet.
    entries.append((btq, "vip_complements", "late", "vip-late", d(25), None))
    w.insert("marts.segment_candidates", entries)
    w.build("marts.metric_segment_uplift")
    model = "marts.metric_segment_uplift"

    def at(metric, grain="day"):
        return w.values(model, metric, grain, business=btq)

    # 16th: 5 and 5 -> 34.00. 17th: 2 and 1, below 5 each -> NULL, the counts say why.
    assert at("segment_uplift_spend") == {(d(16), None): D("34.00"), (d(17), None): None}
    assert at("segment_uplift_members") == {(d(16), None): D("5.00"), (d(17), None): D("2.00")}
    assert at("segment_uplift_comparison") == {(d(16), None): D("5.00"), (d(17), None): D("1.00")}
    # The week: members 7, comparison 6; (5 x 34.00 + 2 x 5.00) / 7 = 180 / 7 = 25.71.
    assert at("segment_uplift_spend", "week") == {(d(16), None): D("25.71")}
    assert at("segment_uplift_members", "week") == {(d(16), None): D("7.00")}
