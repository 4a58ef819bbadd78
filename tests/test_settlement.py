"""Payouts (sent, arrived, returned) and chargebacks, written out line by line."""

from datetime import date

from pipeline.accounting.settlement import Deposit, DisputeMovement, Payout, post_settlement
from tests.test_posting_properties import ACCOUNTS

DAY = date(2026, 11, 18)


def lines(entry):
    return [(x.account_code, x.debit, x.credit, x.memo) for x in entry.lines]


def test_a_payout_net_of_fees_and_a_withheld_dispute():
    # Yesterday: card sales 412.50 + tips 31.20 = 443.70 into clearing, fees 12.14 out of it.
    # Square withholds a disputed 89.00 payment and pays out 443.70 - 12.14 - 89.00 = 342.56.
    payout, chargeback = post_settlement(
        "boutique",
        "LBTQSEA",
        DAY,
        [Payout("po_7", "1010", 34256)],
        [DisputeMovement("dsp_1", "1010", -8900)],
        ACCOUNTS,
    )
    assert (payout.entry_id, payout.kind) == ("LBTQSEA-2026-11-18-PAYOUT", "PAYOUT")
    # Sent, not yet in the bank: clearing to funds in transit.
    assert lines(payout) == [
        ("1010", 0, 34256, "Payout po_7"),
        ("1080", 34256, 0, "Payout po_7"),
    ]
    assert chargeback.kind == "CHARGEBACK"
    assert lines(chargeback) == [
        ("1010", 0, 8900, "Withheld for dsp_1"),
        ("1250", 8900, 0, "Withheld for dsp_1"),
    ]


def test_a_won_dispute_is_released_and_a_lost_one_is_a_loss():
    (entry,) = post_settlement(
        "boutique",
        "LBTQSEA",
        DAY,
        [],
        [
            DisputeMovement("dsp_won", "1010", 4500),
            DisputeMovement("dsp_lost", "1010", 8900, lost=True),
        ],
        ACCOUNTS,
    )
    assert lines(entry) == [
        ("1010", 4500, 0, "Released by dsp_won"),
        ("1250", 0, 8900, "Lost dsp_lost"),
        ("1250", 0, 4500, "Released by dsp_won"),
        ("6150", 8900, 0, "Lost dsp_lost"),
    ]
    assert entry.total_debit == entry.total_credit == 13400


def test_nothing_moved_posts_nothing():
    assert post_settlement("cafe", "LCAFE01", DAY, [], [], ACCOUNTS) == []


def test_a_payout_reaches_the_bank_on_its_arrival_day_and_a_failed_one_comes_back():
    # Arrival day: po_7 (342.56) lands; po_8 (-12.00, refunds beyond sales) is taken from the
    # bank; po_9 (120.00 over two clearing accounts) was rejected by the bank.
    deposit, returned = post_settlement(
        "boutique",
        "LBTQSEA",
        DAY,
        [],
        [],
        ACCOUNTS,
        deposits=[Deposit("po_7", 34256), Deposit("po_8", -1200)],
        returned=[Payout("po_9", "1010", 10000), Payout("po_9", "1015", 2000)],
    )
    assert (deposit.entry_id, deposit.kind) == ("LBTQSEA-2026-11-18-DEPOSIT", "DEPOSIT")
    assert lines(deposit) == [
        ("1080", 0, 34256, "Deposit of po_7"),
        ("1080", 1200, 0, "Deposit of po_8"),
        ("1090", 34256, 0, "Deposit of po_7"),
        ("1090", 0, 1200, "Deposit of po_8"),
    ]
    assert (returned.kind, returned.total_debit, returned.total_credit) == (
        "PAYOUT_RETURN",
        12000,
        12000,
    )
    assert lines(returned) == [
        ("1010", 10000, 0, "Returned po_9"),
        ("1015", 2000, 0, "Returned po_9"),
        ("1080", 0, 12000, "Returned po_9"),
    ]
