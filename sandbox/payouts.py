"""Square payouts: one per location per business day with card/wallet activity.

A payment settles on the day it reached Square (offline payments on their arrival day) and a
refund on the day it was made. Activity of day D is sent at 10:00 local on the next weekday
(Friday, Saturday and Sunday all on Monday, each still its own payout) and arrives in the bank on
the weekday after that (Square's `arrival_date`). Until then the API says SENT; from 09:00 local
on the arrival date it says PAID, with `updated_at` the moment it arrived.
Signs as in Square's own ListPayoutEntriesResponse example (a charge of 100 with fee 19 and net 81;
a refund of -50 with fee -2 and net -48): net = gross - fee, so a CHARGE carries its processing
fee as a positive amount. Our refunds return no processing fee (fee 0, net = gross).
Payout amount = sum of entry nets. A dispute withholds its amount on the day it is opened and
gives it back on the day it is won (DISPUTE entries, see disputes.py), so a payout is still
exactly the sum of its entries.
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
ARRIVAL_HOUR = 9  # the bank credits the payout early on its arrival date


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    type: str  # CHARGE | REFUND | DISPUTE
    effective_ms: int
    gross: int
    fee: int  # Square's fee on this entry: positive on a charge (net = gross - fee)
    payment_id: str
    refund_id: str | None = None
    dispute_id: str | None = None

    @property
    def net(self) -> int:
        return self.gross - self.fee


@dataclass(frozen=True, slots=True)
class Payout:
    id: str
    location_id: str
    activity_day: date
    payout_day: date
    created_ms: int
    entries: tuple[Entry, ...]
    arrival_day: date
    arrived_ms: int

    @property
    def amount(self) -> int:
        return sum(e.net for e in self.entries)

    def status(self, now_ms: int) -> str:
        return "PAID" if now_ms >= self.arrived_ms else "SENT"


def payout_id(seed: int, location_id: str, activity_day: date) -> str:
    return "po_" + ids.stable_uuid(seed, "payout", location_id, activity_day.isoformat())


def payout_created_ms(location: Location, activity_day: date) -> tuple[date, int]:
    # Friday, Saturday and Sunday payouts are all created Monday 10:00 (listings break the tie
    # by payout id).
    pay_day = next_weekday(activity_day)
    return pay_day, local_ms(pay_day, location.tz, PAYOUT_HOUR * HOUR_MS)


def payout_arrival(location: Location, activity_day: date) -> tuple[date, int]:
    """The arrival date of the activity day's payout (the weekday after it is sent) and the
    moment it arrives."""
    arrival_day = next_weekday(next_weekday(activity_day))
    return arrival_day, local_ms(arrival_day, location.tz, ARRIVAL_HOUR * HOUR_MS)


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
                entries.append(Entry("", "CHARGE", p.updated, p.gross, p.fee, p.id))
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
    arrival_day, arrived = payout_arrival(location, activity_day)
    return Payout(pid, location.id, activity_day, pay_day, created, numbered, arrival_day, arrived)


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


def payout_json(p: Payout, business_id: str, now_ms: int) -> dict:
    """The payout as the API shows it at `now_ms`: SENT until it arrives, then PAID."""
    status = p.status(now_ms)
    return {
        "id": p.id,
        "status": status,
        "location_id": p.location_id,
        "created_at": rfc3339_ms(p.created_ms),
        "updated_at": rfc3339_ms(p.arrived_ms if status == "PAID" else p.created_ms),
        "amount_money": money(p.amount),
        "destination": {"type": "BANK_ACCOUNT", "id": "bact:" + ids.stable_alnum(20, business_id)},
        "version": 2 if status == "PAID" else 1,
        "type": "BATCH",
        "arrival_date": p.arrival_day.isoformat(),
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
