"""Generate one location's business day of Square activity: orders, payments, returns, refunds.

Each (seed, business, location, date) has its own `random.Random`, consumed in a fixed order, so a
day is identical whatever else was generated before it and whatever the sandbox clock says.
Returns and offline arrivals belong to the day of the original sale even when their timestamps
land on later days (see SalesProfile.max_spill_days).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from . import ids
from .basket import (
    Adjustment,
    Line,
    Modifier,
    amounts_json,
    line_json,
    price_lines,
    return_line_json,
)
from .clock import HOUR_MS, MINUTE_MS, local_date, local_ms, rfc3339_ms
from .money import money, percent_half_up, processing_fee
from .people import PeoplePool
from .profiles import CARD_BRANDS, SalesProfile
from .records import DayData, OrderRec, PaymentRec, RefundEvent, RefundRec, dumps
from .world import Business, Location, Product, modifier, standard_tax

LOYALTY_DISCOUNT_PERCENT = 10
_SQUARE_TENDER_TYPE = {
    "CASH": "CASH",
    "CARD": "CARD",
    "WALLET": "WALLET",
    "GIFT_CARD": "SQUARE_GIFT_CARD",
}
_SOURCE_TYPE = {"CASH": "CASH", "CARD": "CARD", "WALLET": "WALLET", "GIFT_CARD": "CARD"}
_DESTINATION = {"CASH": "CASH", "CARD": "CARD", "WALLET": "WALLET", "GIFT_CARD": "CARD"}


@dataclass(slots=True)
class TenderPlan:
    kind: str
    amount: int  # excl. tip
    tip: int
    payment_id: str
    created: int
    updated: int
    brand: str = ""
    last_4: str = ""
    entry_method: str = ""
    cash_given: int = 0

    @property
    def gross(self) -> int:
        return self.amount + self.tip

    @property
    def fee(self) -> int:
        return processing_fee(self.gross) if self.kind in ("CARD", "WALLET") else 0


class _Catalog:
    """Per-business weighted product choice, precomputed once."""

    def __init__(self, business: Business, profile: SalesProfile) -> None:
        by_sku = {p.sku: p for p in business.catalog}
        self.products: list[Product] = [by_sku[sku] for sku in profile.product_weights]
        self.cum = list(accumulate(profile.product_weights.values()))
        self.line_counts = list(range(1, len(profile.line_count_weights) + 1))
        self.line_cum = list(accumulate(profile.line_count_weights))
        self.qtys = list(range(1, len(profile.quantity_weights) + 1))
        self.qty_cum = list(accumulate(profile.quantity_weights))
        self.hours = list(range(len(profile.hour_weights)))
        self.hour_cum = list(accumulate(profile.hour_weights))
        self.tender_kinds = [k for k, _ in profile.tender_mix]
        self.tender_cum = list(accumulate(w for _, w in profile.tender_mix))
        self.brands = [b for b, _ in CARD_BRANDS]
        self.brand_cum = list(accumulate(w for _, w in CARD_BRANDS))


_CATALOGS: dict[str, _Catalog] = {}


def _catalog(business: Business, profile: SalesProfile) -> _Catalog:
    cat = _CATALOGS.get(business.id)
    if cat is None:
        cat = _CATALOGS[business.id] = _Catalog(business, profile)
    return cat


class DayGenerator:
    def __init__(
        self,
        seed: int,
        business: Business,
        location: Location,
        profile: SalesProfile,
        people: PeoplePool,
        day: date,
    ) -> None:
        self.business = business
        self.location = location
        self.profile = profile
        self.people = people
        self.day = day
        self.tz = location.tz
        self.rng = random.Random(f"{seed}:{business.id}:{location.id}:{day.isoformat()}")
        self.cat = _catalog(business, profile)
        self.tax_rate = standard_tax(location.jurisdiction)
        self.orders: list[OrderRec] = []
        self.payments: list[PaymentRec] = []
        self.refunds: list[RefundRec] = []

    # -- driver --------------------------------------------------------------------------------

    def run(self) -> DayData:
        rng, p, cat = self.rng, self.profile, self.cat
        base = p.orders_per_day[self.location.id] * p.weekday_factor[self.day.weekday()]
        count = max(0, round(base * rng.uniform(0.9, 1.1)))
        # Opening hours never contain a DST switch (those happen at 02:00), so offsets from the
        # opening instant are exact.
        open_ms = local_ms(self.day, self.tz, p.open_hour * HOUR_MS)
        offsets = sorted(
            rng.choices(cat.hours, cum_weights=cat.hour_cum)[0] * HOUR_MS + rng.randrange(HOUR_MS)
            for _ in range(count)
        )
        for offset in offsets:
            self._sale(open_ms + offset)
        return DayData(tuple(self.orders), tuple(self.payments), tuple(self.refunds))

    # -- one sale ------------------------------------------------------------------------------

    def _sale(self, opened: int) -> None:
        rng, p = self.rng, self.profile
        order_id = ids.alnum(rng, 27)
        lines = self._basket()
        customer_id, person = None, None
        if rng.random() < p.customer_rate:
            picked = self.people.pickers[self.location.id].pick(rng, opened)
            if picked:
                customer_id, person = picked[0], self.people.persons[picked[1]]
        discount = None
        if (
            person is not None
            and person.loyalty is not None
            and rng.random() < p.loyalty_discount_rate
            and any(not line.product.is_gift_card for line in lines)
        ):
            discount = Adjustment(ids.alnum(rng, 22), "Loyalty reward", "10")
        price_lines(lines, LOYALTY_DISCOUNT_PERCENT if discount else None, self.tax_rate)
        tax = None
        if any(line.tax for line in lines) and self.tax_rate:
            tax = Adjustment(
                ids.alnum(rng, 22),
                self.location.jurisdiction,
                self.tax_rate.percentage,
                f"TAX-{self.location.jurisdiction}",
            )
        due = sum(line.total for line in lines)
        tenders = self._tenders(
            due, opened, has_gift_card=any(li.product.is_gift_card for li in lines)
        )
        closed = tenders[-1].created + rng.randint(1000, 3000)
        arrival = None
        if rng.random() < p.offline_rate:
            arrival = closed + rng.randint(HOUR_MS, 72 * HOUR_MS)
            for t in tenders:
                t.updated = arrival + rng.randint(100, 2000)
        updated = arrival if arrival is not None else closed
        order = self._order_json(
            order_id, lines, tax, discount, tenders, customer_id, opened, updated, closed
        )
        self.orders.append(OrderRec(order_id, opened, updated, closed, dumps(order)))

        refund_events: dict[str, RefundEvent] = {}
        if (
            arrival is None
            and len(tenders) == 1
            and rng.random() < p.return_rate
            and any(not li.product.is_gift_card for li in lines)
        ):
            refund_events = self._return(
                order_id, lines, tax, discount, tenders[0], customer_id, closed
            )
        for t in tenders:
            event = refund_events.get(t.payment_id)
            self._payment(t, order_id, customer_id, arrival is not None, event)

    def _basket(self) -> list[Line]:
        rng, p, cat = self.rng, self.profile, self.cat
        n = rng.choices(cat.line_counts, cum_weights=cat.line_cum)[0]
        lines = []
        for _ in range(n):
            product = rng.choices(cat.products, cum_weights=cat.cum)[0]
            line = Line(ids.alnum(rng, 22), product, 1)
            if not product.is_gift_card:
                line.quantity = rng.choices(cat.qtys, cum_weights=cat.qty_cum)[0]
                options = p.modifiers.get(product.sku)
                if options and rng.random() < p.modifier_rate:
                    chosen = rng.sample(options, 2 if rng.random() < 0.2 else 1)
                    line.modifiers = [
                        Modifier(ids.alnum(rng, 22), m.name, m.price_cents, m.id)
                        for m in map(modifier, chosen)
                    ]
            lines.append(line)
        return lines

    def _tenders(self, due: int, opened: int, has_gift_card: bool) -> list[TenderPlan]:
        rng, p, cat = self.rng, self.profile, self.cat
        if due >= 400 and rng.random() < p.split_rate:
            firsts = [k for k in cat.tender_kinds if k != "CARD"] or ["CARD"]
            first = rng.choice(firsts)
            if has_gift_card and first == "GIFT_CARD":
                first = "CARD"
            part = 100 * rng.randint(1, (due - 100) // 100)
            plan = [(first, part), ("CARD", due - part)]
        else:
            kind = rng.choices(cat.tender_kinds, cum_weights=cat.tender_cum)[0]
            if has_gift_card and kind == "GIFT_CARD":
                kind = "CARD"  # gift cards cannot buy gift cards
            plan = [(kind, due)]
        tenders = []
        at = opened
        for kind, amount in plan:
            at += rng.randint(5_000, 45_000)
            t = TenderPlan(kind, amount, 0, ids.alnum(rng, 29), at, at + rng.randint(200, 2500))
            if kind == "CARD":
                t.brand = rng.choices(cat.brands, cum_weights=cat.brand_cum)[0]
                t.last_4 = f"{rng.randrange(10000):04d}"
                t.entry_method = rng.choice(("CONTACTLESS", "CONTACTLESS", "EMV", "SWIPED"))
                if rng.random() < p.tip_rate:
                    t.tip = percent_half_up(amount, rng.choice(p.tip_percents))
            elif kind == "GIFT_CARD":
                t.brand = "SQUARE_GIFT_CARD"
                t.last_4 = f"{rng.randrange(10000):04d}"
                t.entry_method = "SWIPED"
            elif kind == "CASH":
                note = rng.choice((0, 100, 500, 1000, 2000))
                t.cash_given = amount if note == 0 else -(-amount // note) * note
            tenders.append(t)
        return tenders

    # -- JSON bodies ---------------------------------------------------------------------------

    def _order_json(
        self,
        order_id: str,
        lines: list[Line],
        tax: Adjustment | None,
        discount: Adjustment | None,
        tenders: list[TenderPlan],
        customer_id: str | None,
        created: int,
        updated: int,
        closed: int,
    ) -> dict:
        loc = self.location.id
        body: dict = {
            "id": order_id,
            "location_id": loc,
            "source": {"name": "Square Point of Sale"},
        }
        if customer_id:
            body["customer_id"] = customer_id
        body["line_items"] = [line_json(li, tax, discount) for li in lines]
        tax_total = sum(li.tax for li in lines)
        discount_total = sum(li.discount for li in lines)
        tip_total = sum(t.tip for t in tenders)
        if tax:
            body["taxes"] = [
                {
                    "uid": tax.uid,
                    "catalog_object_id": tax.catalog_object_id,
                    "catalog_version": 1,
                    "name": tax.name,
                    "percentage": tax.percentage,
                    "type": "ADDITIVE",
                    "applied_money": money(tax_total),
                    "scope": "LINE_ITEM",
                }
            ]
        if discount:
            body["discounts"] = [
                {
                    "uid": discount.uid,
                    "name": discount.name,
                    "percentage": discount.percentage,
                    "type": "FIXED_PERCENTAGE",
                    "applied_money": money(discount_total),
                    "scope": "ORDER",
                }
            ]
        body["tenders"] = [self._tender_json(t, order_id, customer_id) for t in tenders]
        total = sum(li.total for li in lines) + tip_total
        body.update(
            created_at=rfc3339_ms(created),
            updated_at=rfc3339_ms(updated),
            closed_at=rfc3339_ms(closed),
            state="COMPLETED",
            version=4,
            total_money=money(total),
            total_tax_money=money(tax_total),
            total_discount_money=money(discount_total),
            total_tip_money=money(tip_total),
            total_service_charge_money=money(0),
            net_amounts=amounts_json(total, tax_total, discount_total, tip_total),
            net_amount_due_money=money(0),
        )
        return body

    def _tender_json(self, t: TenderPlan, order_id: str, customer_id: str | None) -> dict:
        # As in Square, a tender's amount_money INCLUDES its tip (it equals the payment's
        # total_money); Payment.amount_money excludes the tip.
        body: dict = {
            "id": t.payment_id,
            "location_id": self.location.id,
            "transaction_id": order_id,
            "created_at": rfc3339_ms(t.created),
            "amount_money": money(t.gross),
        }
        if t.tip:
            body["tip_money"] = money(t.tip)
        if t.fee:
            body["processing_fee_money"] = money(t.fee)
        if customer_id:
            body["customer_id"] = customer_id
        body["type"] = _SQUARE_TENDER_TYPE[t.kind]
        if t.kind in ("CARD", "GIFT_CARD"):
            body["card_details"] = {
                "status": "CAPTURED",
                "card": {"card_brand": t.brand, "last_4": t.last_4},
                "entry_method": t.entry_method,
            }
        elif t.kind == "CASH":
            body["cash_details"] = {
                "buyer_tendered_money": money(t.cash_given),
                "change_back_money": money(t.cash_given - t.amount),
            }
        body["payment_id"] = t.payment_id
        return body

    def _payment(
        self,
        t: TenderPlan,
        order_id: str,
        customer_id: str | None,
        offline: bool,
        refund: RefundEvent | None,
    ) -> None:
        created = rfc3339_ms(t.created)
        body: dict = {
            "id": t.payment_id,
            "created_at": created,
            "updated_at": rfc3339_ms(t.updated),
            "amount_money": money(t.amount),
        }
        if t.tip:
            body["tip_money"] = money(t.tip)
        body["total_money"] = money(t.gross)
        body["approved_money"] = money(t.gross)
        if t.fee:
            effective = rfc3339_ms(t.updated) if offline else created
            body["processing_fee"] = [
                {"effective_at": effective, "type": "INITIAL", "amount_money": money(t.fee)}
            ]
        body["status"] = "COMPLETED"
        body["source_type"] = _SOURCE_TYPE[t.kind]
        if t.kind in ("CARD", "GIFT_CARD"):
            gift = t.kind == "GIFT_CARD"
            body["card_details"] = {
                "status": "CAPTURED",
                "card": {
                    "card_brand": t.brand,
                    "last_4": t.last_4,
                    "card_type": "DEBIT" if gift else "CREDIT",
                    "prepaid_type": "PREPAID" if gift else "NOT_PREPAID",
                },
                "entry_method": t.entry_method,
                "statement_description": f"SQ *{self.business.name.upper()}"[:50],
            }
        elif t.kind == "CASH":
            body["cash_details"] = {
                "buyer_supplied_money": money(t.cash_given),
                "change_back_money": money(t.cash_given - t.amount),
            }
        else:
            body["wallet_details"] = {"status": "CAPTURED", "brand": "CASH_APP"}
        body["location_id"] = self.location.id
        body["order_id"] = order_id
        if customer_id:
            body["customer_id"] = customer_id
        body["receipt_number"] = t.payment_id[:4]
        body["is_offline_payment"] = offline
        if offline:
            body["offline_payment_details"] = {"client_created_at": created}
        self.payments.append(
            PaymentRec(
                id=t.payment_id,
                created=t.created,
                updated=t.updated,
                body=dumps(body),
                arrival_day=local_date(t.updated, self.tz),
                kind=t.kind,
                amount=t.amount,
                gross=t.gross,
                fee=t.fee,
                refunds=(refund,) if refund else (),
            )
        )

    # -- returns -------------------------------------------------------------------------------

    def _return(
        self,
        source_order_id: str,
        lines: list[Line],
        tax: Adjustment | None,
        discount: Adjustment | None,
        tender: TenderPlan,
        customer_id: str | None,
        sold_at: int,
    ) -> dict[str, RefundEvent]:
        rng, p = self.rng, self.profile
        delay = rng.randint(*p.return_delay_days)
        if delay == 0:
            at = sold_at + rng.randint(10 * MINUTE_MS, 3 * HOUR_MS)
        else:
            hours = p.close_hour - p.open_hour
            at = local_ms(
                date.fromordinal(self.day.toordinal() + delay),
                self.tz,
                p.open_hour * HOUR_MS + rng.randrange(hours * HOUR_MS),
            )
        returnable = [li for li in lines if not li.product.is_gift_card]
        chosen = returnable
        if len(returnable) > 1 and rng.random() < p.partial_return_rate:
            keep = set(rng.sample(range(len(returnable)), rng.randint(1, len(returnable) - 1)))
            chosen = [li for i, li in enumerate(returnable) if i in keep]
        return_id = ids.alnum(rng, 27)
        refund_id = f"{tender.payment_id}_{ids.alnum(rng, 12)}"
        ret_tax = (
            Adjustment(ids.alnum(rng, 22), tax.name, tax.percentage, tax.catalog_object_id)
            if tax
            else None
        )
        ret_discount = (
            Adjustment(ids.alnum(rng, 22), discount.name, discount.percentage) if discount else None
        )
        reason = rng.choice(p.return_reasons)
        amount = sum(li.total for li in chosen)
        tax_total = sum(li.tax for li in chosen)
        discount_total = sum(li.discount for li in chosen)
        closed = at + rng.randint(1000, 3000)
        refund_created = at + rng.randint(200, 900)
        refund_updated = refund_created + rng.randint(1000, 6000)

        ret: dict = {"uid": ids.alnum(rng, 22), "source_order_id": source_order_id}
        ret["return_line_items"] = [
            return_line_json(li, ids.alnum(rng, 22), ret_tax, ret_discount) for li in chosen
        ]
        if ret_tax and tax_total and tax:
            ret["return_taxes"] = [
                {
                    "uid": ret_tax.uid,
                    "source_tax_uid": tax.uid,
                    "catalog_object_id": ret_tax.catalog_object_id,
                    "catalog_version": 1,
                    "name": ret_tax.name,
                    "percentage": ret_tax.percentage,
                    "type": "ADDITIVE",
                    "applied_money": money(tax_total),
                    "scope": "LINE_ITEM",
                }
            ]
        if ret_discount and discount_total and discount:
            ret["return_discounts"] = [
                {
                    "uid": ret_discount.uid,
                    "source_discount_uid": discount.uid,
                    "name": ret_discount.name,
                    "percentage": ret_discount.percentage,
                    "type": "FIXED_PERCENTAGE",
                    "applied_money": money(discount_total),
                    "scope": "ORDER",
                }
            ]
        body: dict = {"id": return_id, "location_id": self.location.id}
        if customer_id:
            body["customer_id"] = customer_id
        body["line_items"] = []
        body["returns"] = [ret]
        body["return_amounts"] = amounts_json(amount, tax_total, discount_total, 0)
        body["net_amounts"] = amounts_json(-amount, -tax_total, -discount_total, 0)
        body["refunds"] = [
            {
                "id": refund_id,
                "location_id": self.location.id,
                "transaction_id": source_order_id,
                "tender_id": tender.payment_id,
                "created_at": rfc3339_ms(refund_created),
                "reason": reason,
                "amount_money": money(amount),
                "status": "APPROVED",
            }
        ]
        body.update(
            created_at=rfc3339_ms(at),
            updated_at=rfc3339_ms(closed),
            closed_at=rfc3339_ms(closed),
            state="COMPLETED",
            version=1,
            total_money=money(0),
            total_tax_money=money(0),
            total_discount_money=money(0),
            total_tip_money=money(0),
            total_service_charge_money=money(0),
        )
        self.orders.append(OrderRec(return_id, at, closed, closed, dumps(body)))

        refund = {
            "id": refund_id,
            "status": "COMPLETED",
            "location_id": self.location.id,
            "amount_money": money(amount),
            "payment_id": tender.payment_id,
            "order_id": return_id,
            "reason": reason,
            "created_at": rfc3339_ms(refund_created),
            "updated_at": rfc3339_ms(refund_updated),
            "destination_type": _DESTINATION[tender.kind],
        }
        if tender.brand:
            # As Square does: a refund to a card names the card it went back to.
            refund["destination_details"] = {
                "card_details": {"card": {"card_brand": tender.brand, "last_4": tender.last_4}}
            }
        self.refunds.append(
            RefundRec(
                id=refund_id,
                payment_id=tender.payment_id,
                created=refund_created,
                updated=refund_updated,
                body=dumps(refund),
                day=local_date(refund_created, self.tz),
                kind=tender.kind,
                amount=amount,
            )
        )
        return {tender.payment_id: RefundEvent(refund_updated, refund_id, amount)}


def generate_day(
    seed: int,
    business: Business,
    location: Location,
    profile: SalesProfile,
    people: PeoplePool,
    day: date,
) -> DayData:
    return DayGenerator(seed, business, location, profile, people, day).run()
