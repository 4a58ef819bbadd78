"""Money leaving the processor's clearing account: payouts to the bank and chargebacks.

Sales put card and wallet money into a clearing account (posting.py); processor fees come out
of it. What remains leaves it in two ways, posted here on the day the processor moves it:
- a payout: the bank receives the payout's net amount (PAYOUT);
- a dispute: the processor withholds the disputed amount until it is decided; a won dispute
  releases it, a lost (or accepted) one is a loss (CHARGEBACK).
So once a day's payouts are posted, a clearing account nets to what has not been paid out yet.

Pure functions in integer cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipeline.accounting.posting import Entry, PostingAccounts, _Ledger, day_entries


@dataclass(frozen=True)
class Payout:
    payout_id: str
    clearing_account: str
    amount: int  # net, as deposited


@dataclass(frozen=True)
class DisputeMovement:
    """A dispute's money moving on this day: withheld (negative), released (positive), or
    written off as lost (`lost`, amount positive: the loss)."""

    dispute_id: str
    clearing_account: str
    amount: int
    lost: bool = False


def post_settlement(
    business_id: str,
    location_id: str,
    day: date,
    payouts: list[Payout],
    disputes: list[DisputeMovement],
    accounts: PostingAccounts,
) -> list[Entry]:
    paid, disputed = _Ledger(), _Ledger()
    for payout in sorted(payouts, key=lambda p: p.payout_id):
        paid.debit(accounts.payout_bank, payout.amount, f"Payout {payout.payout_id}")
        paid.credit(payout.clearing_account, payout.amount, f"Payout {payout.payout_id}")
    for move in sorted(disputes, key=lambda d: (d.dispute_id, d.lost, d.amount)):
        if move.lost:
            disputed.debit(accounts.chargeback_losses, move.amount, f"Lost {move.dispute_id}")
            disputed.credit(accounts.disputed_funds, move.amount, f"Lost {move.dispute_id}")
        elif move.amount < 0:
            memo = f"Withheld for {move.dispute_id}"
            disputed.debit(accounts.disputed_funds, -move.amount, memo)
            disputed.credit(move.clearing_account, -move.amount, memo)
        else:
            memo = f"Released by {move.dispute_id}"
            disputed.debit(move.clearing_account, move.amount, memo)
            disputed.credit(accounts.disputed_funds, move.amount, memo)
    return day_entries(
        business_id,
        location_id,
        day,
        [
            ("PAYOUT", paid, "Payouts to the bank"),
            ("CHARGEBACK", disputed, "Disputed card payments"),
        ],
    )
