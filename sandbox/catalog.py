"""Square catalog objects (CATEGORY, TAX, ITEM with nested ITEM_VARIATION) and locations.

Built from world.py: one ITEM per product name, one variation per products.csv row (sku, upc =
barcode, price), one TAX per location jurisdiction with a non-zero STANDARD rate, one
MODIFIER_LIST (with nested MODIFIER objects) per modifier list. Ids are readable and stable
("VAR-CAF-LAT-12", "TAX-US-NY-NYC", "MOD-OAT-MILK") so pipeline tests can reference them. A
few variations are spelled differently in Square (another name, another SKU, no SKU at all):
reference/pos_crosswalk.csv is what maps them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from .clock import rfc3339_ms, to_ms
from .money import money
from .world import (
    BUSINESSES,
    MODIFIER_LIST_ITEMS,
    MODIFIERS,
    Business,
    Product,
    item_key,
    standard_tax,
)

CATALOG_UPDATED = rfc3339_ms(to_ms(datetime(2024, 6, 3, 15, 30, tzinfo=UTC)))
TOP_LEVEL_TYPES = ("CATEGORY", "TAX", "MODIFIER_LIST", "ITEM")


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.upper()).strip("-")


def category_id(business: Business, category: str) -> str:
    return f"CAT-{business.id.upper()}-{_slug(category)}"


def tax_id(jurisdiction: str) -> str:
    return f"TAX-{jurisdiction}"


def _base(kind: str, object_id: str, business: Business) -> dict:
    return {
        "type": kind,
        "id": object_id,
        "updated_at": CATALOG_UPDATED,
        "version": 1,
        "is_deleted": False,
        "present_at_all_locations": False,
        "present_at_location_ids": list(business.location_ids),
    }


def _variation(business: Business, product: Product, item_id: str, ordinal: int) -> dict:
    body = _base("ITEM_VARIATION", product.variation_id, business)
    data: dict = {
        "item_id": item_id,
        "name": product.variation,
        "ordinal": ordinal,
        "pricing_type": "FIXED_PRICING",
        "price_money": money(product.price_cents),
        "sellable": True,
        "stockable": True,
    }
    if product.square_sku:
        data["sku"] = product.square_sku
    if product.barcode:
        data["upc"] = product.barcode
    body["item_variation_data"] = data
    return body


@cache
def catalog_objects(business_id: str) -> tuple[dict, ...]:
    """Every object of the business in listing order; nested variations inside ITEMs."""
    business = BUSINESSES[business_id]
    objects: list[dict] = []
    categories = sorted({p.category for p in business.catalog})
    for name in categories:
        body = _base("CATEGORY", category_id(business, name), business)
        body["category_data"] = {"name": name, "category_type": "REGULAR_CATEGORY"}
        objects.append(body)
    taxes: dict[str, list[str]] = {}
    for loc in business.locations:
        if standard_tax(loc.jurisdiction):
            taxes.setdefault(loc.jurisdiction, []).append(loc.id)
    for jurisdiction, location_ids in taxes.items():
        rate = standard_tax(jurisdiction)
        assert rate is not None
        body = _base("TAX", tax_id(jurisdiction), business)
        body["present_at_location_ids"] = location_ids
        body["tax_data"] = {
            "name": jurisdiction,
            "calculation_phase": "TAX_SUBTOTAL_PHASE",
            "inclusion_type": "ADDITIVE",
            "percentage": rate.percentage,
            "applies_to_custom_amounts": True,
            "enabled": True,
        }
        objects.append(body)
    lists: dict[str, list] = {}
    for option in MODIFIERS:
        if option.business_id == business.id:
            lists.setdefault(option.list_id, []).append(option)
    for list_id, options in lists.items():
        body = _base("MODIFIER_LIST", list_id, business)
        body["modifier_list_data"] = {
            "name": options[0].list_name,
            "selection_type": "MULTIPLE",
            "modifiers": [
                {
                    **_base("MODIFIER", option.id, business),
                    "modifier_data": {
                        "name": option.name,
                        "price_money": money(option.price_cents),
                        "ordinal": ordinal,
                        "modifier_list_id": list_id,
                    },
                }
                for ordinal, option in enumerate(options)
            ],
        }
        objects.append(body)
    items: dict[str, list[Product]] = {}
    for product in business.catalog:
        items.setdefault(item_key(product), []).append(product)
    for key, products in items.items():
        item_id = f"ITEM-{key}"
        first = products[0]
        body = _base("ITEM", item_id, business)
        data: dict = {
            "name": first.square_name,
            "is_taxable": first.tax_category == "STANDARD",
            "category_id": category_id(business, first.category),
            "categories": [{"id": category_id(business, first.category)}],
            "product_type": "GIFT_CARD" if first.is_gift_card else "REGULAR",
        }
        if first.tax_category == "STANDARD" and taxes:
            data["tax_ids"] = [tax_id(j) for j in taxes]
        offered = [
            list_id
            for list_id in lists
            if any(p.sku in MODIFIER_LIST_ITEMS.get(list_id, ()) for p in products)
        ]
        if offered:
            data["modifier_list_info"] = [
                {"modifier_list_id": list_id, "enabled": True} for list_id in offered
            ]
        data["variations"] = [_variation(business, p, item_id, i) for i, p in enumerate(products)]
        body["item_data"] = data
        objects.append(body)
    return tuple(objects)


def list_objects(business_id: str, types: tuple[str, ...]) -> list[dict]:
    """ListCatalog semantics: ITEM_VARIATION objects are returned top-level only if asked for."""
    out = []
    for obj in catalog_objects(business_id):
        if obj["type"] in types:
            out.append(obj)
        if obj["type"] == "ITEM" and "ITEM_VARIATION" in types:
            out.extend(obj["item_data"]["variations"])
        if obj["type"] == "MODIFIER_LIST" and "MODIFIER" in types:
            out.extend(obj["modifier_list_data"]["modifiers"])
    return out


def location_json(business: Business, location_id: str) -> dict:
    loc = business.location(location_id)
    return {
        "id": loc.id,
        "name": loc.name,
        "timezone": loc.timezone,
        "capabilities": ["CREDIT_CARD_PROCESSING"],
        "status": "ACTIVE",
        "created_at": CATALOG_UPDATED,
        "merchant_id": "M" + business.id.upper(),
        "country": loc.country,
        "language_code": "en-US",
        "currency": business.currency,
        "phone_number": loc.phone,
        "business_name": business.name,
        "type": "PHYSICAL",
        "mcc": "5814" if business.id == "cafe" else "5999",
    }
