"""Square (POS): orders, payments, refunds, payouts, disputes, catalog, customers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pipeline.kernel.fields import parse_spec, project
from resources.connector import VendorConnector
from resources.http import ApiClient

SQUARE_VERSION = "2025-08-20"
ORDER_TOTALS = (
    "total_money total_tax_money total_discount_money total_tip_money total_service_charge_money"
)

FIELDS = {
    "orders": parse_spec(
        "id location_id customer_id state created_at updated_at closed_at version "
        + ORDER_TOTALS
        + " line_items.uid line_items.name line_items.quantity line_items.catalog_object_id "
        "line_items.variation_name line_items.base_price_money line_items.gross_sales_money "
        "line_items.total_discount_money line_items.total_tax_money line_items.total_money "
        "line_items.applied_taxes line_items.modifiers.uid line_items.modifiers.catalog_object_id "
        "line_items.modifiers.name line_items.modifiers.quantity "
        "line_items.modifiers.base_price_money line_items.modifiers.total_price_money "
        "taxes.uid taxes.name taxes.percentage taxes.applied_money "
        "discounts.uid discounts.name discounts.applied_money "
        "tenders.id tenders.type tenders.amount_money tenders.tip_money tenders.payment_id "
        "returns.source_order_id returns.return_line_items.uid returns.return_line_items.name "
        "returns.return_line_items.quantity returns.return_line_items.catalog_object_id "
        "returns.return_line_items.base_price_money returns.return_line_items.gross_return_money "
        "returns.return_line_items.total_discount_money "
        "returns.return_line_items.total_tax_money returns.return_line_items.total_money "
        "return_amounts"
    ),
    "payments": parse_spec(
        "id order_id location_id customer_id status source_type created_at updated_at "
        "amount_money tip_money total_money processing_fee refunded_money "
        "card_details.card.card_brand wallet_details.brand is_offline_payment"
    ),
    "refunds": parse_spec(
        "id status location_id payment_id order_id reason amount_money processing_fee "
        "created_at updated_at destination_type destination_details.card_details.card.card_brand"
    ),
    "payouts": parse_spec(
        "id status location_id created_at updated_at amount_money arrival_date end_to_end_id type"
    ),
    "payout_entries": parse_spec(
        "id payout_id effective_at type gross_amount_money fee_amount_money net_amount_money "
        "type_charge_details.payment_id type_refund_details.payment_id "
        "type_refund_details.refund_id type_dispute_details.payment_id "
        "type_dispute_details.dispute_id"
    ),
    # No evidence, no cardholder details: what the chargeback is, for which payment, and where.
    "disputes": parse_spec(
        "id location_id state reason amount_money card_brand disputed_payment.payment_id "
        "created_at updated_at reported_at due_at version"
    ),
    "catalog": parse_spec(
        "id type updated_at present_at_location_ids item_data.name item_data.variations.id "
        "item_data.category_id item_data.categories.id category_data.name "
        "item_data.variations.item_variation_data.sku item_data.variations.item_variation_data.upc "
        "item_data.variations.item_variation_data.name "
        "item_data.variations.item_variation_data.price_money "
        "tax_data.name tax_data.percentage modifier_list_data.name "
        "modifier_list_data.modifiers.id modifier_list_data.modifiers.modifier_data.name "
        "modifier_list_data.modifiers.modifier_data.price_money"
    ),
    "customers": parse_spec(
        "id created_at updated_at given_name family_name email_address phone_number "
        "reference_id preferences.email_unsubscribed birthday address.address_line_1 "
        "address.postal_code address.administrative_district_level_1 address.country"
    ),
}


# Endpoints an account may lack without anything being wrong, each with why. Kept short: every
# other endpoint is required and a 403/404 on it fails the run with a one-line reason.
OPTIONAL_ENDPOINTS = {
    # Disputes need the DISPUTES_READ permission (Square's Disputes API docs), which a merchant
    # may not grant; an account that cannot see disputes has none we could post.
    "/v2/disputes": "needs DISPUTES_READ, which a merchant may not grant",
}


def iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


class SquareResource(VendorConnector):
    """Square Connect v2. Square-Version is pinned so shapes cannot drift under us."""

    vendor: str = "square"
    page_limit: int = 500

    def _headers(self, business_id: str) -> dict[str, str]:
        return {**super()._headers(business_id), "Square-Version": SQUARE_VERSION}

    def _paged(self, client: ApiClient, method, path: str, key: str, *, params=None, body=None):
        def request_for(cursor: str | None) -> dict[str, Any]:
            more = {"cursor": cursor} if cursor else {}
            if method == "POST":
                return {"json": {**(body or {}), **more}}
            return {"params": {**(params or {}), **more}}

        return self.pages(
            client,
            method,
            path,
            key,
            request_for=request_for,
            next_token=lambda page, records, cursor: page.get("cursor") or None,
            position="cursor",
            optional=OPTIONAL_ENDPOINTS.get(path),
        )

    def _iter(self, client, entity, method, path, key, **kw) -> Iterator[Any]:
        for record in self._paged(client, method, path, key, **kw):
            # Lost pages, missing optional endpoints and non-object records pass through for
            # landing to count and dead-letter.
            yield project(record, FIELDS[entity]) if isinstance(record, dict) else record

    def search_orders(
        self, client: ApiClient, location_ids: list[str], start: datetime, end: datetime | None
    ) -> Iterator[dict[str, Any]]:
        """Orders updated in [start, end), or since `start` when `end` is None."""
        window = {"start_at": iso(start), **({"end_at": iso(end)} if end else {})}
        body = {
            "location_ids": location_ids,
            "limit": min(self.page_limit, 1000),
            "query": {
                "filter": {"date_time_filter": {"updated_at": window}},
                "sort": {"sort_field": "UPDATED_AT", "sort_order": "ASC"},
            },
        }
        return self._iter(client, "orders", "POST", "/v2/orders/search", "orders", body=body)

    def _updated_window(self, location_id: str, start: datetime, end: datetime | None) -> dict:
        return {
            "location_id": location_id,
            "updated_at_begin_time": iso(start),
            **({"updated_at_end_time": iso(end)} if end else {}),
            "sort_field": "UPDATED_AT",
            "sort_order": "ASC",
            "limit": 100,
        }

    def list_payments(self, client, location_id, start, end):
        params = self._updated_window(location_id, start, end)
        return self._iter(client, "payments", "GET", "/v2/payments", "payments", params=params)

    def list_refunds(self, client, location_id, start, end):
        params = self._updated_window(location_id, start, end)
        return self._iter(client, "refunds", "GET", "/v2/refunds", "refunds", params=params)

    def list_payouts(self, client, location_id, start, end):
        params = {
            "location_id": location_id,
            "begin_time": iso(start),
            "end_time": iso(end),
            "sort_order": "ASC",
            "limit": 100,
        }
        return self._iter(client, "payouts", "GET", "/v2/payouts", "payouts", params=params)

    def list_payout_entries(self, client, payout_id: str):
        path = f"/v2/payouts/{payout_id}/payout-entries"
        return self._iter(
            client, "payout_entries", "GET", path, "payout_entries", params={"limit": 100}
        )

    def list_disputes(self, client):
        """Every dispute of the seller, all locations and states (the API has no time filter)."""
        return self._iter(client, "disputes", "GET", "/v2/disputes", "disputes")

    def list_catalog(self, client):
        # CATEGORY objects name the categories an item's categories[].id points at (the CRM's
        # "categories bought").
        params = {"types": "ITEM,TAX,MODIFIER_LIST,CATEGORY"}
        return self._iter(client, "catalog", "GET", "/v2/catalog/list", "objects", params=params)

    def list_customers(self, client):
        params = {"limit": 100, "sort_field": "CREATED_AT", "sort_order": "ASC"}
        return self._iter(client, "customers", "GET", "/v2/customers", "customers", params=params)
