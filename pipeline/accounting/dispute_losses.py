"""When a decided dispute's loss is posted: once, on the day it was decided.

Square marks a chargeback LOST (or the merchant ACCEPTS it) and the disputed amount is a loss
(settlement.py posts it). The day it belongs to is the business date, in the location's time
zone, of the dispute's last update. Square may touch a decided dispute again later, which moves
that date; the loss must not be posted a second time. So every posted loss is recorded with the
entry that posted it (marts.dispute_losses), and the record, once there, fixes the loss's day.

Pure functions; the store reads the disputes and records and writes the new records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from pipeline.accounting.posting import Entry
from pipeline.accounting.settlement import DisputeMovement

LOSS_KIND = "CHARGEBACK"  # the entry kind settlement posts losses in


@dataclass(frozen=True)
class DecidedDispute:
    """A chargeback Square has decided against the merchant (LOST or ACCEPTED)."""

    dispute_id: str
    clearing_account: str | None
    amount: int  # the loss, positive cents
    decided_on: date  # business date (location time zone) of the dispute's last update


@dataclass(frozen=True)
class DisputeLoss:
    """A loss as posted: which entry posted it, for which business day."""

    dispute_id: str
    business_id: str
    location_id: str
    entry_id: str
    activity_date: date


def losses_to_post(
    day: date, decided: Iterable[DecidedDispute], posted_on: Mapping[str, date]
) -> list[DisputeMovement]:
    """The losses that belong to `day`: a loss already posted (`posted_on`, dispute id -> its
    activity date) stays on the day it was posted, whatever Square touched since; any other
    belongs to the day it was decided."""
    return [
        DisputeMovement(d.dispute_id, d.clearing_account, d.amount, lost=True)
        for d in sorted(decided, key=lambda d: d.dispute_id)
        if posted_on.get(d.dispute_id, d.decided_on) == day
    ]


def losses_posted(
    business_id: str,
    location_id: str,
    day: date,
    losses: Iterable[DisputeMovement],
    written: Iterable[Entry],
) -> list[DisputeLoss]:
    """What to record for the day's losses, given the entries this run writes: the location's
    chargeback entry for the day (original or adjusting) is the one that posts them. A run that
    writes none posted nothing new (the day's losses are already in the ledger, and recorded)."""
    entry = next(
        (
            e
            for e in written
            if (e.location_id, e.activity_date, e.kind) == (location_id, day, LOSS_KIND)
        ),
        None,
    )
    if entry is None:
        return []
    return [
        DisputeLoss(move.dispute_id, business_id, location_id, entry.entry_id, day)
        for move in losses
        if move.lost
    ]
