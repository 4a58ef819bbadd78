"""The sandbox's fixed reference world: three businesses, their locations, catalog and ledger.

Hard-coded on purpose: the sandbox must not depend on files a pipeline run may be editing, and a
test (tests/test_sandbox_behaviour.py) pins every value here to /work/main/reference/*.csv.
Money is integer cents; tax rates are exact decimal strings turned into integer ratios.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Location:
    id: str
    business_id: str
    name: str
    timezone: str
    jurisdiction: str
    country: str
    phone: str  # E.164, the shop's own line (also used as a "generic" value on messy records)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Product:
    business_id: str
    sku: str
    name: str
    variation: str
    barcode: str  # "" when the product has none
    tax_category: str  # STANDARD | EXEMPT | NONE
    uom: str
    price_cents: int
    revenue_account: str  # "" for a bundle: its components' accounts are in bundles.csv
    category: str  # sandbox-only grouping for Square CATEGORY objects
    pos_name: str = ""  # sandbox-only: the item's name in Square when it differs from `name`
    pos_sku: str = ""  # sandbox-only: Square's SKU when it differs; "none" = no SKU in Square

    @property
    def variation_id(self) -> str:
        return f"VAR-{self.sku}"

    @property
    def square_name(self) -> str:
        return self.pos_name or self.name

    @property
    def square_sku(self) -> str | None:
        """What the Square variation carries; reference/pos_crosswalk.csv maps the odd ones."""
        if self.pos_sku == "none":
            return None
        return self.pos_sku or self.sku

    @property
    def is_gift_card(self) -> bool:
        # Gift card sales are a liability, not revenue: Square marks such lines GIFT_CARD and
        # never taxes or discounts them.
        return self.revenue_account == "2300"


@dataclass(frozen=True)
class ModifierOption:
    business_id: str
    id: str  # the Square MODIFIER catalog object id
    list_name: str
    name: str
    price_cents: int
    list_id: str


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    type: str
    klass: str


@dataclass(frozen=True)
class TaxRate:
    jurisdiction: str
    tax_category: str
    rate: str  # exact decimal fraction, e.g. "0.08875"
    payable_account: str
    effective_from: str
    effective_to: str

    @property
    def ratio(self) -> tuple[int, int]:
        """(numerator, denominator) so tax can be computed in integer cents."""
        return Decimal(self.rate).as_integer_ratio()

    @property
    def percentage(self) -> str:
        """Square's TAX percentage string, e.g. "8.875"."""
        text = format(Decimal(self.rate) * 100, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Tender:
    source_type: str
    card_brand: str
    wallet_brand: str
    canonical_tender: str
    tender_type: str
    clearing_account: str
    fee_account: str
    settles_in_payout: bool


@dataclass(frozen=True)
class Business:
    id: str
    name: str
    currency: str
    xero_tenant_id: str
    domain: str  # the shop's own web domain (reserved example.com sub-domain)
    locations: tuple[Location, ...]
    catalog: tuple[Product, ...] = field(repr=False)

    @cached_property
    def location_ids(self) -> tuple[str, ...]:
        return tuple(loc.id for loc in self.locations)

    def location(self, location_id: str) -> Location:
        for loc in self.locations:
            if loc.id == location_id:
                return loc
        raise KeyError(location_id)

    @property
    def main_location(self) -> Location:
        # Square endpoints without location_id answer for the seller's main location.
        return self.locations[0]


# The reference tables as in reference/*.csv, the columns the sandbox needs (products drop
# item_code and cost, which only the pipeline uses, and gain sandbox-only
# `category` (Square CATEGORY objects), `pos_name` and `pos_sku` (how Square spells the item
# where it differs, so the crosswalk has work to do) columns, businesses a `domain` for "info@"
# emails, modifiers a `modifier_list_id` and the item SKUs the list is offered on).
_PRODUCTS_CSV = """\
business_id,sku,name,variation,barcode,tax_category,uom,price,revenue_account,category,pos_name,pos_sku
cafe,CAF-ESP,Espresso,Single,,STANDARD,each,3.50,4000,Coffee,,
cafe,CAF-LAT-12,Latte,12 oz,,STANDARD,each,5.25,4000,Coffee,,
cafe,CAF-LAT-16,Latte,16 oz,,STANDARD,each,5.95,4000,Coffee,,
cafe,CAF-CAP,Cappuccino,Regular,,STANDARD,each,4.75,4000,Coffee,,
cafe,CAF-DRP-12,Drip Coffee,12 oz,,STANDARD,each,3.00,4000,Coffee,,
cafe,CAF-CHAI,Chai Latte,Regular,,STANDARD,each,4.95,4000,Coffee,,
cafe,CAF-CRS,Butter Croissant,Regular,,STANDARD,each,4.25,4000,Bakery,,
cafe,CAF-MUF,Blueberry Muffin,Regular,,STANDARD,each,3.95,4000,Bakery,,
cafe,CAF-SAN,Turkey Sandwich,Regular,,STANDARD,each,10.95,4000,Kitchen,,
cafe,CAF-BEAN,House Beans,1 lb bag,0850001234566,EXEMPT,bag,18.00,4010,Retail,,
cafe,CAF-GC25,Gift Card,$25,,NONE,each,25.00,2300,Gift Cards,,
cafe,CAF-CC,Coffee & Croissant,Combo,,STANDARD,each,6.95,,Combos,Morning Combo,none
boutique,BTQ-TEE-S,Organic Tee,Small,0850002000016,STANDARD,each,32.00,4010,Apparel,,
boutique,BTQ-TEE-M,Organic Tee,Medium,0850002000023,STANDARD,each,32.00,4010,Apparel,,
boutique,BTQ-TEE-L,Organic Tee,Large,0850002000030,STANDARD,each,32.00,4010,Apparel,,
boutique,BTQ-DRS-S,Linen Dress,Small,0850002000047,STANDARD,each,89.00,4010,Apparel,,
boutique,BTQ-DRS-M,Linen Dress,Medium,0850002000054,STANDARD,each,89.00,4010,Apparel,,
boutique,BTQ-DRS-L,Linen Dress,Large,0850002000061,STANDARD,each,89.00,4010,Apparel,,
boutique,BTQ-SCF,Wool Scarf,One size,0850002000078,STANDARD,each,45.00,4010,Accessories,,
boutique,BTQ-TOTE,Canvas Tote,One size,0850002000085,STANDARD,each,38.00,4010,Accessories,,
boutique,BTQ-CNDL,Cedar Candle,8 oz,0850002000092,STANDARD,each,28.00,4010,Home,,CNDL-CEDAR-8
boutique,BTQ-GC50,Gift Card,$50,,NONE,each,50.00,2300,Gift Cards,,
studio,STU-DROP,Drop-in Class,60 min,,EXEMPT,session,25.00,4020,Classes,,
studio,STU-10PK,Class Pack,10 classes,,EXEMPT,pack,220.00,4020,Classes,,
studio,STU-PT60,Private Session,60 min,,EXEMPT,session,95.00,4020,Classes,,
studio,STU-MAT,Mat Rental,Per class,,STANDARD,each,3.00,4010,Retail,,
studio,STU-WATER,Sparkling Water,12 oz,,STANDARD,each,2.50,4000,Retail,,
studio,STU-CLASSMAT,Class + Mat,60 min + mat,,EXEMPT,session,27.00,,Classes,,
"""

_MODIFIERS_CSV = """\
business_id,modifier_id,modifier_list,name,price,cost,revenue_account,modifier_list_id
cafe,MOD-OAT-MILK,Drink options,Oat milk,0.75,0.22,4000,MODLIST-CAFE-DRINK-OPTIONS
cafe,MOD-EXTRA-SHOT,Drink options,Extra shot,1.00,0.30,4000,MODLIST-CAFE-DRINK-OPTIONS
cafe,MOD-VANILLA-SYRUP,Drink options,Vanilla syrup,0.60,0.08,4000,MODLIST-CAFE-DRINK-OPTIONS
"""
# Which items offer which modifier list (Square ITEM modifier_list_info).
MODIFIER_LIST_ITEMS: dict[str, tuple[str, ...]] = {
    "MODLIST-CAFE-DRINK-OPTIONS": ("CAF-ESP", "CAF-LAT-12", "CAF-LAT-16", "CAF-CAP", "CAF-CHAI"),
}

_LOCATIONS_CSV = """\
location_id,business_id,name,timezone,jurisdiction,country,phone
LCAFE01,cafe,Juniper Cafe - Park Slope,America/New_York,US-NY-NYC,US,+17185550100
LBTQSEA,boutique,Fern & Thread - Seattle,America/Los_Angeles,US-WA-SEA,US,+12065550100
LBTQPDX,boutique,Fern & Thread - Portland,America/Los_Angeles,US-OR-PDX,US,+15035550100
LSTUDIO,studio,Studio Nine - Chicago,America/Chicago,US-IL-CHI,US,+13125550100
"""

_BUSINESSES_CSV = """\
business_id,name,currency,xero_tenant_id,domain
cafe,Juniper Cafe,USD,7b1f6c2e-0c1a-4f0e-9d55-1a2b3c4d0001,junipercafe.example.com
boutique,Fern & Thread,USD,7b1f6c2e-0c1a-4f0e-9d55-1a2b3c4d0002,fernandthread.example.com
studio,Studio Nine,USD,7b1f6c2e-0c1a-4f0e-9d55-1a2b3c4d0003,studionine.example.com
"""

_ACCOUNTS_CSV = """\
account_code,name,type,class
1000,Cash on Hand,CURRENT,ASSET
1010,Square Clearing,CURRENT,ASSET
1015,Square Balance Suspense,CURRENT,ASSET
1080,Funds in Transit,CURRENT,ASSET
1090,Business Checking,BANK,ASSET
1200,Accounts Receivable,CURRENT,ASSET
1250,Disputed Card Payments,CURRENT,ASSET
2110,Sales Tax Payable - New York City,CURRLIAB,LIABILITY
2120,Sales Tax Payable - Washington,CURRLIAB,LIABILITY
2130,Sales Tax Payable - Oregon,CURRLIAB,LIABILITY
2140,Sales Tax Payable - Chicago,CURRLIAB,LIABILITY
2200,Tips Payable,CURRLIAB,LIABILITY
2300,Gift Card Liability,CURRLIAB,LIABILITY
2400,Customer Deposits,CURRLIAB,LIABILITY
4000,Food & Beverage Sales,REVENUE,REVENUE
4010,Retail Merchandise Sales,REVENUE,REVENUE
4020,Service Revenue,REVENUE,REVENUE
4900,Sales Discounts,REVENUE,REVENUE
4910,Sales Returns & Refunds,REVENUE,REVENUE
6100,Merchant Processing Fees,EXPENSE,EXPENSE
6150,Chargeback Losses,EXPENSE,EXPENSE
6200,Customer Goodwill & Order Mistakes,EXPENSE,EXPENSE
6900,Rounding,EXPENSE,EXPENSE
"""

_TAXES_CSV = """\
jurisdiction,tax_category,rate,payable_account,effective_from,effective_to
US-NY-NYC,STANDARD,0.08875,2110,2020-01-01,
US-NY-NYC,EXEMPT,0,2110,2020-01-01,
US-WA-SEA,STANDARD,0.1035,2120,2020-01-01,
US-WA-SEA,EXEMPT,0,2120,2020-01-01,
US-OR-PDX,STANDARD,0,2130,2020-01-01,
US-OR-PDX,EXEMPT,0,2130,2020-01-01,
US-IL-CHI,STANDARD,0.1025,2140,2020-01-01,
US-IL-CHI,EXEMPT,0,2140,2020-01-01,
"""

_TENDERS_CSV = """\
source_type,card_brand,wallet_brand,canonical_tender,tender_type,clearing_account,fee_account,settles_in_payout
CASH,,,cash,cash,1000,,false
CARD,VISA,,card_visa,card,1010,6100,true
CARD,MASTERCARD,,card_mastercard,card,1010,6100,true
CARD,AMERICAN_EXPRESS,,card_amex,card,1010,6100,true
CARD,DISCOVER,,card_discover,card,1010,6100,true
CARD,SQUARE_GIFT_CARD,,square_gift_card,gift_card,2300,,false
WALLET,,CASH_APP,wallet_cash_app,wallet,1010,6100,true
WALLET,,,wallet_other,wallet,1010,6100,true
"""


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _cents(price: str) -> int:
    return int(Decimal(price) * 100)


_CATALOG: tuple[Product, ...] = tuple(
    Product(
        r["business_id"],
        r["sku"],
        r["name"],
        r["variation"],
        r["barcode"],
        r["tax_category"],
        r["uom"],
        _cents(r["price"]),
        r["revenue_account"],
        r["category"],
        r["pos_name"],
        r["pos_sku"],
    )
    for r in _rows(_PRODUCTS_CSV)
)
MODIFIERS: tuple[ModifierOption, ...] = tuple(
    ModifierOption(
        r["business_id"],
        r["modifier_id"],
        r["modifier_list"],
        r["name"],
        _cents(r["price"]),
        r["modifier_list_id"],
    )
    for r in _rows(_MODIFIERS_CSV)
)


def modifier(modifier_id: str) -> ModifierOption:
    for m in MODIFIERS:
        if m.id == modifier_id:
            return m
    raise KeyError(modifier_id)


_LOCATIONS: tuple[Location, ...] = tuple(
    Location(
        r["location_id"],
        r["business_id"],
        r["name"],
        r["timezone"],
        r["jurisdiction"],
        r["country"],
        r["phone"],
    )
    for r in _rows(_LOCATIONS_CSV)
)


def _business(bid: str, name: str, currency: str, tenant: str, domain: str) -> Business:
    return Business(
        id=bid,
        name=name,
        currency=currency,
        xero_tenant_id=tenant,
        domain=domain,
        locations=tuple(loc for loc in _LOCATIONS if loc.business_id == bid),
        catalog=tuple(p for p in _CATALOG if p.business_id == bid),
    )


BUSINESSES: dict[str, Business] = {
    r["business_id"]: _business(
        r["business_id"], r["name"], r["currency"], r["xero_tenant_id"], r["domain"]
    )
    for r in _rows(_BUSINESSES_CSV)
}

# One chart of accounts, shared by every business's Xero organisation (accounts.csv has no
# business column).
ACCOUNTS: tuple[Account, ...] = tuple(
    Account(r["account_code"], r["name"], r["type"], r["class"]) for r in _rows(_ACCOUNTS_CSV)
)
TAX_RATES: tuple[TaxRate, ...] = tuple(
    TaxRate(
        r["jurisdiction"],
        r["tax_category"],
        r["rate"],
        r["payable_account"],
        r["effective_from"],
        r["effective_to"],
    )
    for r in _rows(_TAXES_CSV)
)
TENDERS: tuple[Tender, ...] = tuple(
    Tender(
        r["source_type"],
        r["card_brand"],
        r["wallet_brand"],
        r["canonical_tender"],
        r["tender_type"],
        r["clearing_account"],
        r["fee_account"],
        r["settles_in_payout"] == "true",
    )
    for r in _rows(_TENDERS_CSV)
)
ACCOUNT_CODES: frozenset[str] = frozenset(a.code for a in ACCOUNTS)


def standard_tax(jurisdiction: str) -> TaxRate | None:
    """The STANDARD rate of a jurisdiction, or None where it is zero (no Square TAX object)."""
    for t in TAX_RATES:
        if t.jurisdiction == jurisdiction and t.tax_category == "STANDARD":
            return t if Decimal(t.rate) != 0 else None
    raise KeyError(jurisdiction)


def item_key(product: Product) -> str:
    """Key of the Square ITEM a variation belongs to: the SKU segments its siblings share."""
    siblings = [
        p.sku.split("-") for p in BUSINESSES[product.business_id].catalog if p.name == product.name
    ]
    if len(siblings) == 1:
        return product.sku
    common: list[str] = []
    for parts in zip(*siblings, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "-".join(common)
