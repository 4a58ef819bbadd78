"""Posted days are never edited: late changes become adjusting entries, re-runs add nothing."""

from datetime import date

import pytest

from pipeline.accounting.adjustments import PostedEntry, entries_to_write, signed
from pipeline.accounting.posting import Entry, JournalLine

DAY = date(2026, 11, 17)
TODAY = date(2026, 11, 19)


def sales(cash: int, card: int, tax: int) -> Entry:
    """A day's SALES entry: cash and card in, revenue and tax out (cents)."""
    revenue = cash + card - tax
    lines = [
        JournalLine("1000", cash, 0, "Tendered: cash"),
        JournalLine("1010", card, 0, "Tendered: card"),
        JournalLine("2110", 0, tax, "Sales tax collected"),
        JournalLine("4000", 0, revenue, "Gross sales"),
    ]
    return Entry("LCAFE01-2026-11-17-SALES", "cafe", "LCAFE01", DAY, "SALES", "Daily sales", lines)


def as_posted(entry: Entry) -> PostedEntry:
    return PostedEntry(
        entry.entry_id,
        entry.business_id,
        entry.location_id,
        entry.kind,
        entry.activity_date,
        entry.adjusts_entry_id,
        signed(entry.lines),
    )


def test_first_posting_writes_the_day_as_computed():
    entry = sales(cash=1000, card=2270, tax=270)
    assert entries_to_write([entry], [], TODAY) == [entry]


def test_a_rerun_with_unchanged_facts_writes_nothing():
    entry = sales(cash=1000, card=2270, tax=270)
    assert entries_to_write([sales(1000, 2270, 270)], [as_posted(entry)], TODAY) == []


def test_a_late_offline_order_becomes_an_adjusting_entry_dated_today():
    original = sales(cash=1000, card=2270, tax=270)
    # An offline card sale of $10.89 ($10.00 + $0.89 tax) taken on the 17th arrives on the 19th.
    late = sales(cash=1000, card=3359, tax=359)
    (adjusting,) = entries_to_write([late], [as_posted(original)], TODAY)
    assert adjusting.entry_id == "LCAFE01-2026-11-17-SALES-ADJ01"
    assert adjusting.adjusts_entry_id == original.entry_id
    assert (adjusting.business_date, adjusting.activity_date) == (TODAY, DAY)
    assert [(x.account_code, x.debit, x.credit) for x in adjusting.lines] == [
        ("1010", 1089, 0),
        ("2110", 0, 89),
        ("4000", 0, 1000),
    ]
    # Original plus adjustment now equal the fresh computation; running again adds nothing.
    ledger = [as_posted(original), as_posted(adjusting)]
    assert entries_to_write([late], ledger, TODAY) == []
    # A second change gets the next number and corrects only the remaining difference.
    later = sales(cash=1000, card=3359, tax=359)
    later.lines[0] = JournalLine("1000", 1500, 0, "Tendered: cash")
    later.lines[3] = JournalLine("4000", 0, 1000 + 3359 - 359 + 500, "Gross sales")
    (second,) = entries_to_write([later], ledger, TODAY)
    assert second.entry_id.endswith("-ADJ02")
    assert signed(second.lines) == {"1000": 500, "4000": -500}


def test_a_day_whose_activity_disappears_is_reversed_not_deleted():
    original = sales(cash=1000, card=2270, tax=270)
    (reversal,) = entries_to_write([], [as_posted(original)], TODAY)
    assert signed(reversal.lines) == {k: -v for k, v in signed(original.lines).items()}
    assert reversal.total_debit == reversal.total_credit == 3270


def test_an_adjustment_is_never_dated_before_the_day_it_adjusts():
    original = sales(cash=1000, card=2270, tax=270)
    (adjusting,) = entries_to_write(
        [sales(1000, 2300, 270)], [as_posted(original)], date(2026, 11, 1)
    )
    assert adjusting.business_date == DAY


def test_two_originals_for_one_day_is_a_corrupt_ledger():
    original = as_posted(sales(cash=1000, card=2270, tax=270))
    twin = PostedEntry("other", "cafe", "LCAFE01", "SALES", DAY, None, {})
    with pytest.raises(ValueError, match="2 original entries"):
        entries_to_write([], [original, twin], TODAY)


def test_a_late_refund_on_a_posted_day_is_an_adjustment_even_without_a_returns_entry():
    original = sales(cash=1000, card=2270, tax=270)
    # A partial refund of a card sale taken on the 17th syncs on the 19th.
    refund = Entry(
        "LCAFE01-2026-11-17-RETURNS",
        "cafe",
        "LCAFE01",
        DAY,
        "RETURNS",
        "Returns and refunds",
        [
            JournalLine("4910", 500, 0, "Returns (net of discount)"),
            JournalLine("2110", 44, 0, "Sales tax refunded"),
            JournalLine("1010", 0, 544, "Refunded: card"),
        ],
    )
    (adjusting,) = entries_to_write([original, refund], [as_posted(original)], TODAY)
    assert adjusting.entry_id == "LCAFE01-2026-11-17-RETURNS-ADJ01"
    assert (adjusting.business_date, adjusting.adjusts_entry_id) == (TODAY, original.entry_id)
    assert signed(adjusting.lines) == {"1010": -544, "2110": 44, "4910": 500}
    # Posted now: the next run adds nothing, a further change numbers on.
    ledger = [as_posted(original), as_posted(adjusting)]
    assert entries_to_write([original, refund], ledger, TODAY) == []
    assert entries_to_write([original], ledger, TODAY)[0].entry_id.endswith("RETURNS-ADJ02")
