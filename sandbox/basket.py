"""Line-item money math for orders and returns, in integer cents.

Square computes per line: gross = (base + modifiers) x qty; an order-scoped percentage discount is
applied to each line's gross; additive tax is applied to (gross - discount) and rounded half-up to
the cent per line; the order totals are the sums of the line amounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .money import money, mul_ratio_half_up, percent_half_up
from .world import Product, TaxRate


@dataclass(slots=True)
class Modifier:
    uid: str
    name: str
    unit_cents: int
    catalog_object_id: str | None = None  # the Square MODIFIER object


@dataclass(slots=True)
class Line:
    uid: str
    product: Product
    quantity: int
    modifiers: list[Modifier] = field(default_factory=list)
    gross: int = 0
    discount: int = 0
    tax: int = 0

    @property
    def total(self) -> int:
        return self.gross - self.discount + self.tax

    @property
    def item_type(self) -> str:
        return "GIFT_CARD" if self.product.is_gift_card else "ITEM"


def price_lines(lines: list[Line], discount_percent: int | None, tax: TaxRate | None) -> None:
    """Fill gross/discount/tax on every line (gift cards are never discounted or taxed)."""
    num, den = tax.ratio if tax else (0, 1)
    for line in lines:
        unit = line.product.price_cents + sum(m.unit_cents for m in line.modifiers)
        line.gross = unit * line.quantity
        discountable = discount_percent and not line.product.is_gift_card
        line.discount = percent_half_up(line.gross, discount_percent) if discountable else 0
        taxable = tax is not None and line.product.tax_category == "STANDARD"
        line.tax = mul_ratio_half_up(line.gross - line.discount, num, den) if taxable else 0


@dataclass(frozen=True, slots=True)
class Adjustment:
    """An order-level tax or discount as it appears on the order (uid + catalog facts)."""

    uid: str
    name: str
    percentage: str
    catalog_object_id: str | None = None


def _modifier_ref(m: Modifier) -> dict:
    if m.catalog_object_id is None:
        return {}
    return {"catalog_object_id": m.catalog_object_id, "catalog_version": 1}


def line_json(line: Line, tax: Adjustment | None, discount: Adjustment | None) -> dict:
    product = line.product
    body: dict = {
        "uid": line.uid,
        "name": product.square_name,
        "quantity": str(line.quantity),
        "catalog_object_id": product.variation_id,
        "catalog_version": 1,
        "variation_name": product.variation,
        "item_type": line.item_type,
    }
    if line.modifiers:
        body["modifiers"] = [
            {
                "uid": m.uid,
                **_modifier_ref(m),
                "name": m.name,
                "quantity": "1",
                "base_price_money": money(m.unit_cents),
                "total_price_money": money(m.unit_cents * line.quantity),
            }
            for m in line.modifiers
        ]
    if line.tax and tax:
        body["applied_taxes"] = [
            {"uid": f"{line.uid}-t", "tax_uid": tax.uid, "applied_money": money(line.tax)}
        ]
    if line.discount and discount:
        body["applied_discounts"] = [
            {
                "uid": f"{line.uid}-d",
                "discount_uid": discount.uid,
                "applied_money": money(line.discount),
            }
        ]
    body.update(
        base_price_money=money(product.price_cents),
        variation_total_price_money=money(product.price_cents * line.quantity),
        gross_sales_money=money(line.gross),
        total_tax_money=money(line.tax),
        total_discount_money=money(line.discount),
        total_money=money(line.total),
        total_service_charge_money=money(0),
    )
    return body


def return_line_json(
    line: Line, uid: str, tax: Adjustment | None, discount: Adjustment | None
) -> dict:
    """The OrderReturnLineItem for returning a whole line (same amounts as the sale)."""
    product = line.product
    body: dict = {
        "uid": uid,
        "source_line_item_uid": line.uid,
        "name": product.square_name,
        "quantity": str(line.quantity),
        "catalog_object_id": product.variation_id,
        "catalog_version": 1,
        "variation_name": product.variation,
        "item_type": line.item_type,
    }
    if line.modifiers:
        body["return_modifiers"] = [
            {
                "uid": f"{uid}-m{i}",
                "source_modifier_uid": m.uid,
                **_modifier_ref(m),
                "name": m.name,
                "quantity": "1",
                "base_price_money": money(m.unit_cents),
                "total_price_money": money(m.unit_cents * line.quantity),
            }
            for i, m in enumerate(line.modifiers)
        ]
    if line.tax and tax:
        body["applied_taxes"] = [
            {"uid": f"{uid}-t", "tax_uid": tax.uid, "applied_money": money(line.tax)}
        ]
    if line.discount and discount:
        body["applied_discounts"] = [
            {"uid": f"{uid}-d", "discount_uid": discount.uid, "applied_money": money(line.discount)}
        ]
    body.update(
        base_price_money=money(product.price_cents),
        variation_total_price_money=money(product.price_cents * line.quantity),
        gross_return_money=money(line.gross),
        total_tax_money=money(line.tax),
        total_discount_money=money(line.discount),
        total_money=money(line.total),
    )
    return body


def amounts_json(total: int, tax: int, discount: int, tip: int) -> dict:
    """Square's OrderMoneyAmounts."""
    return {
        "total_money": money(total),
        "tax_money": money(tax),
        "discount_money": money(discount),
        "tip_money": money(tip),
        "service_charge_money": money(0),
    }
