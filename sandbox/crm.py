"""Studio Nine's sales pipeline: HubSpot deals and the Xero invoices raised for won deals.

Deals are generated per business date with their whole future (stage changes, close, invoice,
payments) decided up front; the sandbox clock then shows the state as of `now`. About one deal
every two days (one a day from the cutover below); corporate workshops ($800-$4,500) and
memberships.

Cutover: Studio Nine's bookkeeper raised an invoice by hand for most won deals until Backbone
took over invoicing. Deals won (closed, local date) on or after BACKBONE_INVOICING_FROM get no
hand-raised invoice: Backbone drafts theirs (reference/invoice_rules.csv `effective_from`, which
this date mirrors). Hand-raised invoices carry the deal's name as their Reference, which is how
Backbone recognises and adopts them instead of invoicing a deal twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from . import ids
from .clock import DAY_MS, HOUR_MS, MINUTE_MS, local_date, local_ms
from .money import percent_half_up
from .people import Company, PeoplePool
from .world import BUSINESSES

STUDIO = "studio"
OPEN_STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "contractsent")
WORKSHOPS = (
    "Corporate Wellness Workshop",
    "Team Yoga Series",
    "Mindfulness Offsite",
    "Lunchtime Stretch Program",
)
MEMBERSHIPS = (
    ("Annual Membership", 180000),
    ("6-Month Membership", 99000),
    ("Unlimited Membership", 150000),
    ("Founding Membership", 120000),
)
BACKBONE_INVOICING_FROM = date(2026, 11, 21)
# Deal ids grow with time like HubSpot's, and are fixed for a date whatever the clock says.
_DEAL_ID_BASE = 19_000_000_000
_ID_EPOCH = date(2024, 1, 1).toordinal()


@dataclass(frozen=True)
class InvoicePayment:
    payment_id: str
    at_ms: int
    day: date
    cents: int
    label: str  # "deposit" | "payment"


@dataclass(frozen=True)
class Invoice:
    id: str
    number: str
    created_ms: int
    day: date
    due: date
    status: str  # DRAFT | AUTHORISED (PAID once the payments visible cover the total)
    contact_id: str
    contact_name: str
    description: str
    cents: int
    payments: tuple[InvoicePayment, ...]


@dataclass(frozen=True)
class Deal:
    id: str
    created_ms: int
    name: str
    cents: int
    kind: str  # workshop | membership
    contact_id: str  # HubSpot contact of the buyer
    person_index: int
    stages: tuple[tuple[int, str], ...]  # (from ms, dealstage) ascending
    expected_close: date
    invoice: Invoice | None

    def stage_at(self, now_ms: int) -> tuple[int, str]:
        current = self.stages[0]
        for when, stage in self.stages:
            if when > now_ms:
                break
            current = (when, stage)
        return current


def deals_for_day(seed: int, pool: PeoplePool, day: date) -> tuple[Deal, ...]:
    business = BUSINESSES[STUDIO]
    tz = business.main_location.tz
    rng = random.Random(f"{seed}:{STUDIO}:deals:{day.isoformat()}")
    # From the cutover on, about one deal a day: a 14-day demo window then holds several won
    # deals for Backbone to invoice. Earlier days keep their rate (and their data).
    rate = 0.95 if day >= BACKBONE_INVOICING_FROM else 0.48
    count = (1 if rng.random() < rate else 0) + (1 if rng.random() < 0.03 else 0)
    times = sorted(
        local_ms(day, tz, 9 * HOUR_MS + rng.randrange(8 * HOUR_MS)) for _ in range(count)
    )
    deals = []
    for k, created in enumerate(times):
        deal_id = str(_DEAL_ID_BASE + (day.toordinal() - _ID_EPOCH) * 10 + k)
        deal = _deal(rng, pool, deal_id, created, tz)
        if deal is not None:
            deals.append(deal)
    return tuple(deals)


def _eligible_company(rng: random.Random, pool: PeoplePool, at: int) -> Company | None:
    ready = [c for c in pool.companies if pool.hubspot_by_person[c.person_index][1] <= at]
    return rng.choice(ready) if ready else None


def _eligible_member(rng: random.Random, pool: PeoplePool, at: int) -> int | None:
    ready = [
        idx
        for idx, (_, created) in pool.hubspot_by_person.items()
        if created <= at and idx in pool.xero_by_person and pool.xero_by_person[idx][2] <= at
    ]
    return rng.choice(sorted(ready)) if ready else None


def _deal(
    rng: random.Random, pool: PeoplePool, deal_id: str, created: int, tz: ZoneInfo
) -> Deal | None:
    company = _eligible_company(rng, pool, created) if rng.random() < 0.55 else None
    if company is not None:
        person_index = company.person_index
        name = f"{company.name} - {rng.choice(WORKSHOPS)}"
        cents = 5000 * rng.randint(16, 90)
        kind = "workshop"
        invoice_contact = (company.xero_contact_id, company.name)
    else:
        member = _eligible_member(rng, pool, created)
        if member is None:
            return None
        person_index = member
        person = pool.persons[member]
        plan, cents = rng.choice(MEMBERSHIPS)
        name = f"{person.given} {person.family} - {plan}"
        kind = "membership"
        contact_id, contact_name, _ = pool.xero_by_person[member]
        invoice_contact = (contact_id, contact_name)
    hubspot_id = pool.hubspot_by_person[person_index][0]

    outcome = rng.choices(("won", "lost", "open"), (40, 25, 35))[0]
    first_stage = 0 if rng.random() < 0.6 else 1
    stages: list[tuple[int, str]] = [(created, OPEN_STAGES[first_stage])]
    horizon = rng.randint(3, 30) * DAY_MS if outcome != "open" else rng.randint(10, 60) * DAY_MS
    steps = rng.randint(0, len(OPEN_STAGES) - 1 - first_stage)
    moments = sorted(created + rng.randrange(HOUR_MS, horizon) for _ in range(steps))
    for i, when in enumerate(moments):
        stages.append((when, OPEN_STAGES[first_stage + 1 + i]))
    invoice = None
    if outcome != "open":
        closed = max(stages[-1][0], created) + rng.randint(HOUR_MS, 3 * DAY_MS)
        stages.append((closed, "closedwon" if outcome == "won" else "closedlost"))
        if outcome == "won" and rng.random() < 0.85:
            invoice = _invoice(rng, pool, deal_id, closed, tz, invoice_contact, name, cents, kind)
            if local_date(closed, tz) >= BACKBONE_INVOICING_FROM:
                # Drawn all the same, so every later deal of the day stays what it was.
                invoice = None
    expected_close = local_date(created, tz) + timedelta(days=rng.randint(14, 45))
    return Deal(
        id=deal_id,
        created_ms=created,
        name=name,
        cents=cents,
        kind=kind,
        contact_id=hubspot_id,
        person_index=person_index,
        stages=tuple(stages),
        expected_close=expected_close,
        invoice=invoice,
    )


def _invoice(
    rng: random.Random,
    pool: PeoplePool,
    deal_id: str,
    closed: int,
    tz: ZoneInfo,
    contact: tuple[str, str],
    description: str,
    cents: int,
    kind: str,
) -> Invoice:
    tenant = pool.business.xero_tenant_id
    created = closed + rng.randint(2 * HOUR_MS, 48 * HOUR_MS)
    day = local_date(created, tz)
    status = "DRAFT" if rng.random() < 0.15 else "AUTHORISED"
    payments: list[InvoicePayment] = []

    def pay(after: int, min_days: int, max_days: int, amount: int, label: str) -> int:
        on = local_date(after, tz) + timedelta(days=rng.randint(min_days, max_days))
        at = local_ms(on, tz, 11 * HOUR_MS + rng.randrange(4 * HOUR_MS // MINUTE_MS) * MINUTE_MS)
        payment_id = ids.stable_uuid(tenant, "invoice-payment", deal_id, len(payments))
        payments.append(InvoicePayment(payment_id, at, on, amount, label))
        return at

    if status == "AUTHORISED":
        roll = rng.random()
        if roll < 0.4:  # deposit first, the balance later (or not yet)
            deposit = percent_half_up(cents, rng.choice((30, 40, 50))) // 100 * 100
            paid_at = pay(created, 1, 5, deposit, "deposit")
            if rng.random() < 0.7:
                pay(paid_at, 7, 40, cents - deposit, "payment")
        elif roll < 0.85:
            pay(created, 3, 30, cents, "payment")
    number = f"INV-{int(deal_id) - _DEAL_ID_BASE:05d}"
    return Invoice(
        id=ids.stable_uuid(tenant, "invoice", deal_id),
        number=number,
        created_ms=created,
        day=day,
        due=day + timedelta(days=14 if kind == "workshop" else 7),
        status=status,
        contact_id=contact[0],
        contact_name=contact[1],
        description=description,
        cents=cents,
        payments=tuple(payments),
    )
