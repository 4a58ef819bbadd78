"""The scorecard's money, reconciliation and close metrics on a hand-made cafe week (Mon
2026-11-16 .. Sun 2026-11-22), every expected value computed by hand in the comments. The
weekly value is recomputed from the week's facts: a median or a rate is not a sum of days."""

from decimal import Decimal as D

from tests.scorecard_world import CAFE, LOC, World, d, utc

O2C = "marts.metric_order_to_cash"
RECON = "marts.metric_reconciliation_latency"


def _payouts(w: World) -> None:
    w.insert(
        "marts.reconciliation",
        [
            # po1 arrives Tue 17th, deposit matched Wed 18th: 1 day.
            (CAFE, LOC, "po1", d(17), d(18), "matched", D("100.00"), D("0.00"), "g1"),
            # po2 arrives Wed 18th, the bank batched it into Sat 21st's deposit: 3 days.
            (CAFE, LOC, "po2", d(18), d(21), "matched", D("50.00"), D("0.00"), "g2"),
            # po3 arrives Thu 19th, no deposit found: open, 80.25 unreconciled.
            (CAFE, LOC, "po3", d(19), None, "unmatched", D("80.25"), None, None),
            # po4 arrives Fri 20th, its deposit is 1.50 short: open, 1.50 unreconciled.
            (CAFE, LOC, "po4", d(20), d(20), "partial", D("60.00"), D("-1.50"), "g4"),
            # po5 arrives Sun 22nd and is still on its way: in neither count.
            (CAFE, LOC, "po5", d(22), None, "in_transit", D("30.00"), None, None),
        ],
    )
    w.insert(
        "core.tender_facts",
        [
            (CAFE, LOC, d(16), "payment", "p1", "po1"),
            (CAFE, LOC, d(16), "payment", "p2", "po1"),
            (CAFE, LOC, d(17), "payment", "p3", "po2"),
            (CAFE, LOC, d(18), "payment", "p4", "po3"),
            # A refund rides in a payout too, but order-to-cash follows sales.
            (CAFE, LOC, d(17), "refund", "r1", "po2"),
        ],
    )


def test_order_to_cash_medians_per_stage_by_sale_day_and_week():
    w = World()
    _payouts(w)
    w.build(O2C)
    # Mon 16th: p1, p2 -> po1: sale->payout 1 day each, payout->deposit 1, total 2.
    # Tue 17th: p3 -> po2: 1, 3, 4. Wed 18th: p4 -> po3 (unmatched): 1, then nothing.
    assert w.values(O2C, "o2c_sale_to_payout_days") == {
        (d(16), LOC): D("1.00"),
        (d(17), LOC): D("1.00"),
        (d(18), LOC): D("1.00"),
    }
    assert w.values(O2C, "o2c_payout_to_deposit_days") == {
        (d(16), LOC): D("1.00"),
        (d(17), LOC): D("3.00"),
        (d(18), LOC): None,
    }
    assert w.values(O2C, "o2c_total_days") == {
        (d(16), LOC): D("2.00"),
        (d(17), LOC): D("4.00"),
        (d(18), LOC): None,
    }
    # The week: totals [2, 2, 4] -> median 2 (the days' values would average 3 or sum 6);
    # payout->deposit [1, 1, 3] -> 1; sale->payout [1, 1, 1, 1] -> 1.
    assert w.values(O2C, "o2c_total_days", "week") == {(d(16), LOC): D("2.00")}
    assert w.values(O2C, "o2c_payout_to_deposit_days", "week") == {(d(16), LOC): D("1.00")}
    assert w.values(O2C, "o2c_sale_to_payout_days", "week") == {(d(16), LOC): D("1.00")}


def test_reconciliation_latency_and_open_payouts_by_arrival_day_and_week():
    w = World()
    _payouts(w)
    w.build(RECON)
    # po1 1 day, po2 3 days; po3 unmatched and po4 partial are open; po5 in transit is neither.
    assert w.values(RECON, "reconciliation_latency_days") == {
        (d(17), LOC): D("1.00"),
        (d(18), LOC): D("3.00"),
        (d(19), LOC): None,
        (d(20), LOC): None,
    }
    assert w.values(RECON, "payouts_unreconciled") == {
        (d(17), LOC): D("0.00"),
        (d(18), LOC): D("0.00"),
        (d(19), LOC): D("1.00"),
        (d(20), LOC): D("1.00"),
    }
    # Median of [1, 3] = 2.00; open 2.
    assert w.values(RECON, "reconciliation_latency_days", "week") == {(d(16), LOC): D("2.00")}
    assert w.values(RECON, "payouts_unreconciled", "week") == {(d(16), LOC): D("2.00")}


def test_write_offs_are_exact_cents_from_the_journal_and_the_open_payouts():
    w = World()
    _payouts(w)
    # Tue 17th: a lost chargeback of 25.00 and 0.03 of rounding, out of Square clearing.
    w.entry(
        "E17",
        LOC,
        d(17),
        utc(18, 14),
        [("6150", "25.00", "0.00"), ("6900", "0.03", "0.00"), ("1010", "0.00", "25.03")],
    )
    # Wed 18th: rounding the other way, 0.02 credited.
    w.entry("E18", LOC, d(18), utc(19, 14), [("1010", "0.02", "0.00"), ("6900", "0.00", "0.02")])
    w.build("marts.metric_write_offs")
    model = "marts.metric_write_offs"
    assert w.values(model, "writeoff_chargebacks") == {
        (d(17), LOC): D("25.00"),
        (d(18), LOC): D("0.00"),
    }
    assert w.values(model, "writeoff_rounding") == {
        (d(17), LOC): D("0.03"),
        (d(18), LOC): D("-0.02"),
    }
    # po3's 80.25 on the 19th, po4's 1.50 short on the 20th; the posted days show 0.00.
    assert w.values(model, "writeoff_unreconciled") == {
        (d(17), LOC): D("0.00"),
        (d(18), LOC): D("0.00"),
        (d(19), LOC): D("80.25"),
        (d(20), LOC): D("1.50"),
    }
    # Money adds up over the week: 0.03 - 0.02 = 0.01; 80.25 + 1.50 = 81.75.
    assert w.values(model, "writeoff_rounding", "week") == {(d(16), LOC): D("0.01")}
    assert w.values(model, "writeoff_unreconciled", "week") == {(d(16), LOC): D("81.75")}
    assert w.values(model, "writeoff_chargebacks", "week") == {(d(16), LOC): D("25.00")}


def test_close_days_counts_local_posting_dates_and_waits_for_every_payout():
    w = World()
    _payouts(w)
    # Tue 17th posted at 03:00 UTC on the 19th = 22:00 on the 18th in New York: posted the 18th,
    # po1 settled the 18th -> closed the 18th, 1 day (a UTC reading would say 2).
    w.entry("E17", LOC, d(17), utc(19, 3), [("1010", "1.00", "0.00"), ("4000", "0.00", "1.00")])
    # Wed 18th posted the 19th, but po2's deposit came the 21st -> 3 days.
    w.entry("E18", LOC, d(18), utc(19, 14), [("1010", "1.00", "0.00"), ("4000", "0.00", "1.00")])
    # Thu 19th posted the 20th, po3 unmatched -> not closed (NULL).
    w.entry("E19", LOC, d(19), utc(20, 14), [("1010", "1.00", "0.00"), ("4000", "0.00", "1.00")])
    # The next week: Mon 23rd and Sun 29th posted on Mon 30th, no payouts -> 7 and 1 days; the
    # week closed the 30th, 1 day after its Sunday.
    for day in (23, 29):
        w.entry(
            f"E{day}",
            LOC,
            d(day),
            utc(30, 15),
            [("1010", "1.00", "0.00"), ("4000", "0.00", "1.00")],
        )
    # An adjusting entry posted later corrects a day; it does not reopen its close.
    w.con.execute(
        "INSERT INTO marts.journal_entries (entry_id, business_id, location_id, business_date, "
        "kind, memo, total, activity_date, adjusts_entry_id, posted_at) "
        "VALUES ('ADJ', 'cafe', 'LCAFE01', DATE '2026-11-29', 'SALES', 'adj', 1, "
        "DATE '2026-11-23', 'E23', TIMESTAMPTZ '2026-12-03 15:00:00+00')"
    )
    w.build("marts.metric_close_duration")
    model = "marts.metric_close_duration"
    assert w.values(model, "close_days") == {
        (d(17), None): D("1.00"),
        (d(18), None): D("3.00"),
        (d(19), None): None,
        (d(23), None): D("7.00"),
        (d(29), None): D("1.00"),
    }
    # The week of the 16th has no Sunday posted yet: no weekly row. The week of the 23rd: 1.
    assert w.values(model, "close_days", "week") == {(d(23), None): D("1.00")}


def test_refund_rate_and_net_sales_recomputed_per_week():
    w = World()
    w.insert(
        "core.sales_lines",
        [
            # Mon 16th: sold 20.00 - 2.00 + 30.00 = 48.00, returned 9.00 -> 18.75 %.
            (CAFE, LOC, d(16), "A", "sale", D("20.00"), D("2.00")),
            (CAFE, LOC, d(16), "B", "sale", D("30.00"), D("0.00")),
            (CAFE, LOC, d(16), "C", "return", D("9.00"), D("0.00")),
            # Tue 17th: sold 52.00, nothing back -> 0 %.
            (CAFE, LOC, d(17), "D", "sale", D("52.00"), D("0.00")),
        ],
    )
    w.build("marts.metric_sales")
    model = "marts.metric_sales"
    assert w.values(model, "refund_rate_pct") == {
        (d(16), LOC): D("18.75"),
        (d(17), LOC): D("0.00"),
    }
    # The week: 9.00 / 100.00 = 9.00 % (the days' rates would average 9.38).
    assert w.values(model, "refund_rate_pct", "week") == {(d(16), LOC): D("9.00")}
    assert w.values(model, "net_sales", "week") == {(d(16), LOC): D("91.00")}
    assert w.values(model, "orders") == {(d(16), LOC): D("2.00"), (d(17), LOC): D("1.00")}
