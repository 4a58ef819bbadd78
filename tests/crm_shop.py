"""A hand-made boutique in a warehouse for the CRM models: Square-shaped raw records (orders,
payments, refunds, catalog, customers) and HubSpot contacts, built through staging, the
identity graph and core into the CRM marts, exactly as a run builds them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from graphlib import TopologicalSorter

import duckdb

from pipeline.identity import resolve_identities
from pipeline.store.identity_map import identity_records
from pipeline.store.reference_files import load_all, replace_reference_tables
from pipeline.store.schema import migrate
from pipeline.store.sql_models import build, discover

BUSINESS, LOCATION = "boutique", "LBTQSEA"
TARGETS = (
    "marts.segment_memberships",
    "marts.segment_suppressions",
    "marts.campaign_response",
    "marts.customer_facts",
)
# Boutique products as Square sells them: variation id -> (item, item name, size, cents).
VARIATIONS = {
    "VAR-BTQ-TEE-S": ("ITEM-TEE", "Organic Tee", "Small", 3200, "BTQ-TEE-S"),
    "VAR-BTQ-TEE-M": ("ITEM-TEE", "Organic Tee", "Medium", 3200, "BTQ-TEE-M"),
    "VAR-BTQ-DRS-S": ("ITEM-DRS", "Linen Dress", "Small", 8900, "BTQ-DRS-S"),
    "VAR-BTQ-DRS-M": ("ITEM-DRS", "Linen Dress", "Medium", 8900, "BTQ-DRS-M"),
    "VAR-BTQ-SCF": ("ITEM-SCF", "Wool Scarf", "One size", 4500, "BTQ-SCF"),
    "VAR-BTQ-TOTE": ("ITEM-TOTE", "Canvas Tote", "One size", 3800, "BTQ-TOTE"),
    "VAR-BTQ-CNDL": ("ITEM-CNDL", "Cedar Candle", "8 oz", 2800, "CNDL-CEDAR-8"),
}
CATEGORIES = {
    "ITEM-TEE": "Apparel",
    "ITEM-DRS": "Apparel",
    "ITEM-SCF": "Accessories",
    "ITEM-TOTE": "Accessories",
    "ITEM-CNDL": "Home",
}
TAX_RATE = 0.1025  # Seattle


def _money(cents: int) -> dict:
    return {"amount": cents, "currency": "USD"}


def _at(day: date, hour: int = 11) -> str:
    """`hour` o'clock in Seattle (UTC-7 in summer, -8 in winter: either way the same day)."""
    return datetime(day.year, day.month, day.day, hour + 8, tzinfo=UTC).isoformat()


class Shop:
    def __init__(self) -> None:
        self.con = duckdb.connect()
        migrate(self.con)
        replace_reference_tables(self.con, load_all())
        self._orders = 0
        self.arrivals: dict[str, datetime] = {}

    # -- records --------------------------------------------------------------------------
    def _raw(self, table: str, record_id: str, day: date | None, payload: dict) -> None:
        self.con.execute(
            f"INSERT INTO raw.{table} VALUES (?, ?, ?, ?, ?, ?, ?, now(), 'test')",
            [
                record_id,
                BUSINESS,
                LOCATION if day else None,
                day,
                day.isoformat() if day else None,
                payload.get("updated_at") or payload.get("updatedAt"),
                json.dumps(payload),
            ],
        )

    def customer(self, cid: str, given: str, family: str, email: str | None, **extra) -> str:
        payload = {
            "id": cid,
            "given_name": given,
            "family_name": family,
            "created_at": "2026-01-05T18:00:00Z",
            "updated_at": "2026-01-05T18:00:00Z",
            "address": {"administrative_district_level_1": "WA", "country": "US"},
            **({"email_address": email} if email else {}),
            **extra,
        }
        self._raw("square_customers", cid, None, payload)
        return cid

    def hubspot_contact(self, hid: str, email: str, given: str, family: str, optout: bool):
        payload = {
            "id": hid,
            "createdAt": "2026-01-02T10:00:00Z",
            "updatedAt": "2026-01-02T10:00:00Z",
            "properties": {
                "email": email,
                "firstname": given,
                "lastname": family,
                "hs_email_optout": "true" if optout else "false",
            },
        }
        self._raw("hubspot_contacts", hid, None, payload)

    def _line(self, variation: str, qty: int, discount: int, kind: str) -> dict:
        _, name, size, cents, _ = VARIATIONS[variation]
        gross = cents * qty
        tax = round((gross - discount) * TAX_RATE)
        self._orders += 1
        line = {
            "uid": f"L{self._orders}",
            "name": name,
            "variation_name": size,
            "quantity": str(qty),
            "catalog_object_id": variation,
            "total_discount_money": _money(discount),
            "total_tax_money": _money(tax),
            "total_money": _money(gross - discount + tax),
        }
        line["gross_sales_money" if kind == "sale" else "gross_return_money"] = _money(gross)
        return line

    def sale(self, customer: str, day: date, *items: str, discount: int = 0, tip: int = 0):
        """A completed order paid by card; `discount` comes off the first line."""
        self._orders += 1
        order_id = f"ORD{self._orders:04d}"
        lines = [self._line(v, 1, discount if i == 0 else 0, "sale") for i, v in enumerate(items)]
        total = sum(line["total_money"]["amount"] for line in lines) + tip
        stamp = _at(day)
        self._raw(
            "square_orders",
            order_id,
            day,
            {
                "id": order_id,
                "location_id": LOCATION,
                "customer_id": customer,
                "state": "COMPLETED",
                "created_at": stamp,
                "updated_at": stamp,
                "line_items": lines,
                "total_money": _money(total),
                "total_tax_money": _money(sum(x["total_tax_money"]["amount"] for x in lines)),
                "total_discount_money": _money(discount),
                "total_tip_money": _money(tip),
            },
        )
        self._raw(
            "square_payments",
            f"PAY{order_id}",
            day,
            {
                "id": f"PAY{order_id}",
                "order_id": order_id,
                "customer_id": customer,
                "status": "COMPLETED",
                "source_type": "CARD",
                "card_details": {"card": {"card_brand": "VISA"}},
                "created_at": stamp,
                "updated_at": stamp,
                "amount_money": _money(total - tip),
                "tip_money": _money(tip),
                "total_money": _money(total),
                "processing_fee": [{"amount_money": _money(round(total * 0.026) + 10)}],
            },
        )
        return order_id

    def give_back(self, sale_id: str, customer: str, day: date, *items: str, status="COMPLETED"):
        """A return order of `items` from `sale_id`, refunded to the card with `status`."""
        self._orders += 1
        return_id = f"RET{self._orders:04d}"
        lines = [self._line(v, 1, 0, "return") for v in items]
        amount = sum(line["total_money"]["amount"] for line in lines)
        stamp = _at(day, 14)
        self._raw(
            "square_orders",
            return_id,
            day,
            {
                "id": return_id,
                "location_id": LOCATION,
                "customer_id": customer,
                "state": "COMPLETED",
                "created_at": stamp,
                "updated_at": stamp,
                "line_items": [],
                "returns": [{"source_order_id": sale_id, "return_line_items": lines}],
                "return_amounts": {"total_money": _money(amount)},
                "total_money": _money(0),
            },
        )
        refund_id = f"REF{return_id}"
        self._raw(
            "square_refunds",
            refund_id,
            day,
            {
                "id": refund_id,
                "payment_id": f"PAY{sale_id}",
                "order_id": return_id,
                "status": status,
                "created_at": stamp,
                "updated_at": stamp,
                "amount_money": _money(amount),
                "destination_type": "CARD",
            },
        )
        return refund_id

    def catalog(self, arrived: dict[str, datetime] | None = None) -> None:
        """The boutique's catalog; `arrived` dates an item's created_at (default: long ago)."""
        arrived = arrived or {}
        for item, category in sorted(set(CATEGORIES.items())):
            cat_id = f"CAT-{category.upper()}"
            if not self.con.execute(
                "SELECT 1 FROM raw.square_catalog WHERE record_id = ?", [cat_id]
            ).fetchone():
                self._raw(
                    "square_catalog",
                    cat_id,
                    None,
                    {"type": "CATEGORY", "id": cat_id, "category_data": {"name": category}},
                )
            variations = [
                {
                    "id": vid,
                    "type": "ITEM_VARIATION",
                    "item_variation_data": {
                        "name": size,
                        "sku": sku,
                        "price_money": _money(cents),
                    },
                }
                for vid, (item_id, _, size, cents, sku) in VARIATIONS.items()
                if item_id == item
            ]
            stamp = arrived.get(item, datetime(2024, 6, 3, 15, 30, tzinfo=UTC)).isoformat()
            self._raw(
                "square_catalog",
                item,
                None,
                {
                    "type": "ITEM",
                    "id": item,
                    "updated_at": stamp,
                    "item_data": {
                        "name": VARIATIONS[variations[0]["id"]][1],
                        "categories": [{"id": cat_id}],
                        "variations": variations,
                    },
                },
            )

    # -- the warehouse --------------------------------------------------------------------
    def build(self, now: datetime, also: tuple[str, ...] = ()) -> None:
        """Staging, the identity graph, then every model the CRM marts (and `also`) need."""
        models = {m.table: m for m in discover()}
        graph: dict[str, set[str]] = {}
        todo = [*TARGETS, *also]
        while todo:
            table = todo.pop()
            if table in graph or table not in models:
                continue
            graph[table] = {f"{s}.{t}" for s, t in models[table].deps}
            todo.extend(graph[table])
        graph["core.identity_map"] = {t for t in graph if t.startswith("staging.")}
        for table in TopologicalSorter(graph).static_order():
            if table == "core.identity_map":
                identity = resolve_identities(identity_records(self.con))
                identity["postcode_normalized"] = identity["postcode_normalized"].astype(object)
                # Not write_identity_map: its contract check reads an all-NULL probability
                # column (a shop where nobody needed fuzzy matching) back as objects.
                self.con.register("_identity", identity)
                self.con.execute(
                    "CREATE OR REPLACE TABLE core.identity_map AS SELECT * FROM _identity"
                )
                self.con.unregister("_identity")
            elif table in models:
                build(self.con, models[table], at=now)

    def customer_id(self, square_id: str) -> str:
        return self.con.execute(
            "SELECT customer_id FROM core.identity_map WHERE source = 'square' AND source_id = ?",
            [square_id],
        ).fetchone()[0]

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()


def days(start: date, *offsets: int) -> list[date]:
    return [start + timedelta(days=n) for n in offsets]
