"""Square payouts: one per location per business day with card/wallet activity.

A payment settles on the day it reached Square (offline payments on their arrival day) and a
refund on the day it was made. Activity of day D is paid out at 10:00 local on the next weekday
(Friday, Saturday and Sunday all on Monday, each still its own payout), arriving that day.
Payout amount = sum of entry nets; CHARGE entries carry the processing fee as a negative amount.
A dispute withholds its amount on the day it is opened and gives it back on the day it is won
(DISPUTE entries, see disputes.py), so a payout is still exactly the sum of its entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import ids
from .clock import HOUR_MS, days, local_ms, next_weekday, rfc3339_ms, window
from .disputes import balance_events, sale_days_before
from .money import money
from .store import World
from .world import Location

PAYOUT_HOUR = 10


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    type: str  # CHARGE | REFUND | DISPUTE
    effective_ms: int
    gross: int
    fee: int  # <= 0
    payment_id: str
    refund_id: str | None = None
    dispute_id: str | None = None

    @property
    def net(self) -> int:
        return self.gross + self.fee


@dataclass(frozen=True, slots=True)
class Payout:
    id: str
    location_id: str
    activity_day: date
    payout_day: date
    created_ms: int
    entries: tuple[Entry, ...]

    @property
    def amount(self) -> int:
        return sum(e.net for e in self.entries)


def payout_id(seed: int, location_id: str, activity_day: date) -> str:
    return "po_" + ids.stable_uuid(seed, "payout", location_id, activity_day.isoformat())


def payout_created_ms(location: Location, activity_day: date) -> tuple[date, int]:
    # Friday, Saturday and Sunday payouts are all created Monday 10:00 (listings break the tie
    # by payout id).
    pay_day = next_weekday(activity_day)
    return pay_day, local_ms(pay_day, location.tz, PAYOUT_HOUR * HOUR_MS)


def build_payout(
    world: World, location: Location, activity_day: date, now_ms: int
) -> Payout | None:
    """The payout for one activity day, or None when nothing settled that day."""
    pid = payout_id(world.seed, location.id, activity_day)
    entries: list[Entry] = []
    for owner in world.owner_days(location, now_ms, activity_day, activity_day):
        data = world.day(location, owner)
        for p in data.payments:
            if p.settles and p.arrival_day == activity_day:
                entries.append(Entry("", "CHARGE", p.updated, p.gross, -p.fee, p.id))
        for r in data.refunds:
            if r.settles and r.day == activity_day:
                entries.append(Entry("", "REFUND", r.created, -r.amount, 0, r.payment_id, r.id))
    first, _ = window(now_ms, location.tz)
    for sale_day in sale_days_before(activity_day):
        if sale_day < first:
            continue
        for d in world.disputes(location, sale_day):
            for day, at, gross in balance_events(d, location.tz):
                if day == activity_day:
                    entries.append(Entry("", "DISPUTE", at, gross, 0, d.payment_id, None, d.id))
    if not entries:
        return None
    entries.sort(key=lambda e: (e.effective_ms, e.payment_id, e.type))
    numbered = tuple(
        Entry(
            "poe_" + ids.stable_alnum(26, pid, i),
            e.type,
            e.effective_ms,
            e.gross,
            e.fee,
            e.payment_id,
            e.refund_id,
            e.dispute_id,
        )
        for i, e in enumerate(entries)
    )
    pay_day, created = payout_created_ms(location, activity_day)
    return Payout(pid, location.id, activity_day, pay_day, created, numbered)


def activity_days_paid_between(
    location: Location, now_ms: int, start_ms: int | None, end_ms: int | None
) -> list[date]:
    """Activity days in the data window whose payout is created in [start, end) and by now."""
    first, last = window(now_ms, location.tz)
    chosen = []
    for day in days(first, last):
        _, created = payout_created_ms(location, day)
        if created > now_ms:
            continue
        if start_ms is not None and created < start_ms:
            continue
        if end_ms is not None and created >= end_ms:
            continue
        chosen.append(day)
    return chosen


def payout_json(p: Payout, business_id: str) -> dict:
    at = rfc3339_ms(p.created_ms)
    return {
        "id": p.id,
        "status": "PAID",
        "location_id": p.location_id,
        "created_at": at,
        "updated_at": at,
        "amount_money": money(p.amount),
        "destination": {"type": "BANK_ACCOUNT", "id": "bact:" + ids.stable_alnum(20, business_id)},
        "version": 1,
        "type": "BATCH",
        "arrival_date": p.payout_day.isoformat(),
        "end_to_end_id": "L2" + ids.stable_digits(9, p.id),
    }


def entry_json(e: Entry, payout_id_: str) -> dict:
    body: dict = {
        "id": e.id,
        "payout_id": payout_id_,
        "effective_at": rfc3339_ms(e.effective_ms),
        "type": e.type,
        "gross_amount_money": money(e.gross),
        "fee_amount_money": money(e.fee),
        "net_amount_money": money(e.net),
    }
    if e.type == "CHARGE":
        body["type_charge_details"] = {"payment_id": e.payment_id}
    elif e.type == "REFUND":
        body["type_refund_details"] = {"payment_id": e.payment_id, "refund_id": e.refund_id}
    else:
        body["type_dispute_details"] = {"payment_id": e.payment_id, "dispute_id": e.dispute_id}
    return body
