"""Compact stored forms of generated Square records.

Bodies are kept as compact JSON text (rendered once at generation) because a full cafe window is
~36k orders; keeping dicts would cost several times the memory. Timestamps are epoch ms so
filtering and sorting never parse strings. Payments change when refunded, so they keep their
refund events and render the version visible at the sandbox clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from .clock import rfc3339_ms
from .money import money


def dumps(body: object) -> str:
    return json.dumps(body, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class OrderRec:
    id: str
    created: int
    updated: int
    closed: int
    body: str


@dataclass(frozen=True, slots=True)
class RefundEvent:
    at: int  # when the payment showed the refund (the refund's updated_at)
    refund_id: str
    amount: int


@dataclass(frozen=True, slots=True)
class PaymentRec:
    id: str
    created: int
    updated: int  # arrival (for offline payments hours after created)
    body: str
    arrival_day: date  # local business date the payment reached Square (settlement day)
    kind: str  # CASH | CARD | WALLET | GIFT_CARD
    amount: int  # excl. tip
    gross: int  # incl. tip
    fee: int
    refunds: tuple[RefundEvent, ...] = ()

    @property
    def settles(self) -> bool:
        """Card and wallet money goes through Square payouts; cash and gift cards do not."""
        return self.kind in ("CARD", "WALLET")

    def updated_at(self, now_ms: int) -> int:
        seen = [e.at for e in self.refunds if e.at <= now_ms]
        return max(seen) if seen else self.updated

    def render(self, now_ms: int) -> str:
        seen = [e for e in self.refunds if e.at <= now_ms]
        if not seen:
            return self.body
        body = json.loads(self.body)
        body["updated_at"] = rfc3339_ms(max(e.at for e in seen))
        body["refund_ids"] = [e.refund_id for e in seen]
        body["refunded_money"] = money(sum(e.amount for e in seen))
        return dumps(body)


@dataclass(frozen=True, slots=True)
class RefundRec:
    id: str
    payment_id: str
    created: int
    updated: int
    body: str
    day: date  # local business date of the refund
    kind: str  # kind of the refunded payment
    amount: int

    @property
    def settles(self) -> bool:
        return self.kind in ("CARD", "WALLET")


@dataclass(frozen=True, slots=True)
class DayData:
    """Everything generated for one location's business day (returns may land on later days)."""

    orders: tuple[OrderRec, ...]
    payments: tuple[PaymentRec, ...]
    refunds: tuple[RefundRec, ...]
