"""A payout's entries, reduced to what settlement posts: amounts per clearing account and the
dispute money it moves (settlement.py).

Each payout entry settles a tender fact (a payment, refund or dispute) and so leaves that fact's
clearing account. An entry with no fact (a processor adjustment) has no account of its own: it
goes to the account the payout's other entries use, else to the lowest clearing account among
the tenders that settle in payouts.

Pure functions in integer cents; the store reads the entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from pipeline.accounting.settlement import Deposit, DisputeMovement, Payout


@dataclass(frozen=True)
class PayoutPart:
    """One entry of a payout, in the payout's order."""

    payout_id: str
    entry_type: str  # Square's entry type: CHARGE, REFUND, FEE, DISPUTE, ADJUSTMENT, ...
    dispute_id: str | None
    clearing_account: str | None  # the settled fact's, if the entry settles one
    amount: int  # net cents


def fallback_clearing_account(
    payout_accounts: Iterable[str | None], settling_accounts: Iterable[str | None]
) -> str | None:
    """Where a payout entry with no fact goes: the lowest account the payout's other entries
    use, else the lowest clearing account among tenders that settle in payouts."""
    own = [a for a in payout_accounts if a is not None]
    if own:
        return min(own)
    return min((a for a in settling_accounts if a is not None), default=None)


def with_clearing_accounts(
    parts: Iterable[PayoutPart], settling_accounts: Iterable[str | None]
) -> list[PayoutPart]:
    """Every part with a clearing account (see `fallback_clearing_account`), order kept."""
    parts = list(parts)
    settling = list(settling_accounts)
    by_payout: dict[str, list[str | None]] = {}
    for part in parts:
        by_payout.setdefault(part.payout_id, []).append(part.clearing_account)
    return [
        part
        if part.clearing_account is not None
        else replace(
            part, clearing_account=fallback_clearing_account(by_payout[part.payout_id], settling)
        )
        for part in parts
    ]


def settlement_movements(
    parts: Iterable[PayoutPart], settling_accounts: Iterable[str | None]
) -> tuple[list[Payout], list[DisputeMovement]]:
    """The day's payouts (net per payout and clearing account, none for a zero net) and the
    dispute money its DISPUTE entries withhold or release."""
    paid: dict[tuple[str, str | None], int] = {}
    disputes: list[DisputeMovement] = []
    for part in with_clearing_accounts(parts, settling_accounts):
        key = (part.payout_id, part.clearing_account)
        paid[key] = paid.get(key, 0) + part.amount
        if part.entry_type == "DISPUTE":
            disputes.append(DisputeMovement(part.dispute_id, part.clearing_account, part.amount))
    payouts = [Payout(pid, clearing, cents) for (pid, clearing), cents in paid.items() if cents]
    return payouts, disputes


def deposits_of(parts: Iterable[PayoutPart]) -> list[Deposit]:
    """What each arriving payout puts in the bank: the net of its entries, exactly what its
    PAYOUT moved into transit (none for a zero net)."""
    nets: dict[str, int] = {}
    for part in parts:
        nets[part.payout_id] = nets.get(part.payout_id, 0) + part.amount
    return [Deposit(pid, cents) for pid, cents in sorted(nets.items()) if cents]
