"""A payout's entries to settlement: amounts per clearing account, and dispute movements."""

from pipeline.accounting.payouts import (
    PayoutPart,
    deposits_of,
    fallback_clearing_account,
    settlement_movements,
    with_clearing_accounts,
)
from pipeline.accounting.settlement import Deposit, DisputeMovement, Payout

CARD, WALLET, GIFT = "1010", "1020", "1030"
# ref.tenders: cards and wallets settle in Square payouts; gift cards are redeemed, not paid out.
SETTLING = [WALLET, CARD, None]


def test_an_entry_with_no_fact_goes_to_the_account_the_payout_s_other_entries_use():
    assert fallback_clearing_account([WALLET, None, CARD], SETTLING) == CARD


def test_a_payout_of_only_unmatched_entries_goes_to_the_lowest_settling_account():
    assert fallback_clearing_account([None, None], SETTLING) == CARD
    assert fallback_clearing_account([], [None]) is None


def test_the_fallback_is_per_payout_and_keeps_the_order():
    parts = [
        PayoutPart("po_1", "ADJUSTMENT", None, None, -150),
        PayoutPart("po_1", "CHARGE", None, WALLET, 4200),
        PayoutPart("po_2", "ADJUSTMENT", None, None, 75),
    ]
    assert [p.clearing_account for p in with_clearing_accounts(parts, SETTLING)] == [
        WALLET,
        WALLET,
        CARD,
    ]


def test_a_day_of_payouts_and_a_withheld_dispute():
    parts = [
        PayoutPart("po_7", "CHARGE", None, CARD, 44370),
        PayoutPart("po_7", "DISPUTE", "dsp_1", CARD, -8900),
        PayoutPart("po_7", "FEE", None, CARD, -1214),
        PayoutPart("po_7", "CHARGE", None, WALLET, 2500),
        PayoutPart("po_7", "ADJUSTMENT", None, None, -100),  # a processor adjustment: no fact
        # A payout that nets to nothing pays nothing out.
        PayoutPart("po_8", "CHARGE", None, CARD, 1000),
        PayoutPart("po_8", "REFUND", None, CARD, -1000),
    ]
    payouts, disputes = settlement_movements(parts, SETTLING)
    assert payouts == [
        Payout("po_7", CARD, 44370 - 8900 - 1214 - 100),
        Payout("po_7", WALLET, 2500),
    ]
    assert disputes == [DisputeMovement("dsp_1", CARD, -8900)]


def test_a_deposit_is_the_net_its_payout_moved_into_transit():
    # po_1 withholds a dispute and settles two accounts; po_2 nets to nothing (no deposit).
    parts = [
        PayoutPart("po_1", "CHARGE", None, CARD, 10000),
        PayoutPart("po_1", "CHARGE", None, WALLET, 2500),
        PayoutPart("po_1", "DISPUTE", "dsp_1", CARD, -3000),
        PayoutPart("po_2", "CHARGE", None, CARD, 500),
        PayoutPart("po_2", "REFUND", None, CARD, -500),
    ]
    sent, _ = settlement_movements(parts, SETTLING)
    assert deposits_of(parts) == [Deposit("po_1", 9500)]
    assert sum(p.amount for p in sent if p.payout_id == "po_1") == 9500
