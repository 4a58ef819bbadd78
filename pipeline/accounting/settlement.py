"""Money leaving the processor's clearing account: payouts to the bank and chargebacks.

Sales put card and wallet money into a clearing account (posting.py); processor fees come out
of it. What remains leaves it in two ways, posted here on the day the processor moves it:
- a payout: on the business date the processor sends it (status SENT) its net amount leaves
  clearing for funds in transit (PAYOUT); on its arrival date, once the processor reports it
  PAID, it leaves transit for the bank (DEPOSIT); a payout the bank rejects (FAILED) comes back
  from transit to clearing on the day the failure is known (PAYOUT_RETURN);
- a dispute: the processor withholds the disputed amount until it is decided; a won dispute
  releases it, a lost (or accepted) one is a loss (CHARGEBACK).
So once a day's payouts are posted, a clearing account nets to what has not been sent yet, and
funds in transit to what was sent and has not arrived.

Pure functions in integer cents.
"""

from __future__ import annotations

from collections.abc import Sequence
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


@dataclass(frozen=True)
class Deposit:
    """A payout arriving in the bank (status PAID, on its arrival date)."""

    payout_id: str
    amount: int  # net, as deposited; negative for a payout that withdraws


def post_settlement(
    business_id: str,
    location_id: str,
    day: date,
    payouts: list[Payout],
    disputes: list[DisputeMovement],
    accounts: PostingAccounts,
    deposits: Sequence[Deposit] = (),
    returned: Sequence[Payout] = (),
) -> list[Entry]:
    """`payouts` sent on `day` (per clearing account), `deposits` arriving on it, `returned`
    payouts whose failure became known on it (per clearing account), and the day's dispute
    movements, as PAYOUT, DEPOSIT, PAYOUT_RETURN and CHARGEBACK entries."""
    paid, banked, back, disputed = _Ledger(), _Ledger(), _Ledger(), _Ledger()
    transit = accounts.funds_in_transit
    for payout in sorted(payouts, key=lambda p: (p.payout_id, p.clearing_account)):
        paid.debit(transit, payout.amount, f"Payout {payout.payout_id}")
        paid.credit(payout.clearing_account, payout.amount, f"Payout {payout.payout_id}")
    for deposit in sorted(deposits, key=lambda d: d.payout_id):
        banked.debit(accounts.payout_bank, deposit.amount, f"Deposit of {deposit.payout_id}")
        banked.credit(transit, deposit.amount, f"Deposit of {deposit.payout_id}")
    for payout in sorted(returned, key=lambda p: (p.payout_id, p.clearing_account)):
        back.debit(payout.clearing_account, payout.amount, f"Returned {payout.payout_id}")
        back.credit(transit, payout.amount, f"Returned {payout.payout_id}")
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
            ("PAYOUT", paid, "Payouts sent to the bank"),
            ("DEPOSIT", banked, "Payouts arrived in the bank"),
            ("PAYOUT_RETURN", back, "Failed payouts returned"),
            ("CHARGEBACK", disputed, "Disputed card payments"),
        ],
    )
