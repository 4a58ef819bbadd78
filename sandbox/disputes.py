"""Square disputes (chargebacks): rare, deterministic, and reflected in payouts.

A cardholder disputes a settled card payment days after the sale. Square withholds the disputed
amount from the seller's balance the day the dispute is opened (a payout entry of type DISPUTE,
negative gross) and gives it back the day it is WON (a second DISPUTE entry, positive gross);
a LOST or ACCEPTED dispute keeps it. So payouts keep equalling the sum of their entries.

Disputes of a sale day come from their own seeded `random.Random`, never the day generator's,
so adding or tuning disputes leaves every order, payment and refund unchanged.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from . import ids
from .clock import HOUR_MS, day_start_ms, local_date, rfc3339_ms
from .money import money
from .records import PaymentRec, dumps
from .world import Location

DAY_MS = 24 * HOUR_MS
# Share of eligible card payments disputed, per business (absent: none). A few a fortnight.
DISPUTE_RATES: dict[str, float] = {"boutique": 0.005}
REASONS: tuple[tuple[str, float], ...] = (
    ("NOT_AS_DESCRIBED", 0.35),
    ("NO_KNOWLEDGE", 0.25),
    ("NOT_RECEIVED", 0.15),
    ("DUPLICATE", 0.1),
    ("CANCELLED", 0.15),
)
OUTCOMES: tuple[tuple[str, float], ...] = (("WON", 0.45), ("LOST", 0.35), ("ACCEPTED", 0.2))
DISPUTE_STATES = (
    "INQUIRY_EVIDENCE_REQUIRED",
    "INQUIRY_PROCESSING",
    "INQUIRY_CLOSED",
    "EVIDENCE_REQUIRED",
    "PROCESSING",
    "WON",
    "LOST",
    "ACCEPTED",
)
OPEN_AFTER_DAYS = (3, 20)  # dispute opened this long after the payment
RESPOND_DAYS = 14  # due_at: the seller's deadline to answer
# Longest sale-to-resolution span (open + answer + bank decision), for look-backs.
MAX_SPAN_DAYS = OPEN_AFTER_DAYS[1] + 5 + 25 + 1


@dataclass(frozen=True, slots=True)
class Step:
    at: int  # epoch ms the dispute reached `state`
    state: str


@dataclass(frozen=True, slots=True)
class DisputeRec:
    id: str
    payment_id: str
    location_id: str
    card_brand: str
    amount: int
    reason: str
    brand_dispute_id: str
    steps: tuple[Step, ...]  # first: EVIDENCE_REQUIRED at creation; last: final state

    @property
    def created(self) -> int:
        return self.steps[0].at

    @property
    def won_at(self) -> int | None:
        last = self.steps[-1]
        return last.at if last.state == "WON" else None

    def seen(self, now_ms: int) -> list[Step]:
        return [s for s in self.steps if s.at <= now_ms]

    def render(self, now_ms: int) -> str:
        seen = self.seen(now_ms)
        reported = day_start_ms(date.fromisoformat(rfc3339_ms(self.created)[:10]), UTC)
        body = {
            "id": self.id,
            "amount_money": money(self.amount),
            "reason": self.reason,
            "state": seen[-1].state,
            "due_at": rfc3339_ms(reported + (RESPOND_DAYS + 1) * DAY_MS),
            "disputed_payment": {"payment_id": self.payment_id},
            "card_brand": self.card_brand,
            "created_at": rfc3339_ms(self.created),
            "updated_at": rfc3339_ms(seen[-1].at),
            "brand_dispute_id": self.brand_dispute_id,
            "reported_at": rfc3339_ms(reported),
            "version": len(seen),
            "location_id": self.location_id,
        }
        return dumps(body)


def _eligible(p: PaymentRec) -> bool:
    # Chargebacks come from card networks: not cash, not wallets, not Square gift cards; a
    # refunded payment is settled with the buyer already.
    return p.kind == "CARD" and not p.refunds


def disputes_for_day(
    seed: int, business_id: str, location: Location, day: date, payments: tuple[PaymentRec, ...]
) -> tuple[DisputeRec, ...]:
    """Disputes of the card payments taken on one sale day (usually none)."""
    rate = DISPUTE_RATES.get(business_id, 0.0)
    if not rate:
        return ()
    rng = random.Random(f"{seed}:dispute:{location.id}:{day.isoformat()}")
    found = []
    for p in payments:
        if not _eligible(p) or rng.random() >= rate:
            continue
        opened = p.updated + rng.randint(*OPEN_AFTER_DAYS) * DAY_MS + rng.randrange(8 * HOUR_MS)
        outcome = rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0]
        steps = [Step(opened, "EVIDENCE_REQUIRED")]
        if outcome == "ACCEPTED":
            steps.append(Step(opened + rng.randint(1, 4) * DAY_MS, "ACCEPTED"))
        else:
            answered = opened + rng.randint(1, 5) * DAY_MS + rng.randrange(HOUR_MS)
            steps.append(Step(answered, "PROCESSING"))
            steps.append(Step(answered + rng.randint(7, 25) * DAY_MS, outcome))
        # Most disputes are for the whole charge; some only for part of the basket.
        amount = p.gross if rng.random() < 0.8 else max(100, p.gross * rng.randint(30, 90) // 100)
        brand = json.loads(p.body)["card_details"]["card"]["card_brand"]
        found.append(
            DisputeRec(
                id=ids.alnum(rng, 21),
                payment_id=p.id,
                location_id=location.id,
                card_brand=brand,
                amount=amount,
                reason=rng.choices([r for r, _ in REASONS], weights=[w for _, w in REASONS])[0],
                brand_dispute_id=ids.stable_digits(12, seed, "brand-dispute", p.id),
                steps=tuple(steps),
            )
        )
    return tuple(found)


def balance_events(d: DisputeRec, tz) -> list[tuple[date, int, int]]:
    """(activity day, effective ms, gross cents) of each balance change a dispute causes."""
    events = [(local_date(d.created, tz), d.created, -d.amount)]
    if d.won_at is not None:
        events.append((local_date(d.won_at, tz), d.won_at, d.amount))
    return events


def sale_days_before(day: date) -> list[date]:
    """Sale days whose disputes can move money on `day`."""
    return [day - timedelta(days=i) for i in range(MAX_SPAN_DAYS, -1, -1)]
