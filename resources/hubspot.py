"""HubSpot (CRM): contacts and deals read; contacts upserted and list memberships synced;
Backbone's deal properties created and deals updated (the studio loop)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.kernel.fields import parse_spec, project
from resources.connector import VendorConnector
from resources.http import ApiClient, ApiError

CONTACT_PROPERTIES = [
    "email",
    "firstname",
    "lastname",
    "phone",
    "mobilephone",
    "loyalty_id",
    "hs_email_optout",
    "zip",
    "address",
    "state",
    "country",
    "date_of_birth",
    "createdate",
    "lastmodifieddate",
]
DEAL_PROPERTIES = [
    "dealname",
    "amount",
    "dealstage",
    "pipeline",
    "closedate",
    "createdate",
    "hs_lastmodifieddate",
]

FIELDS = {
    "contacts": parse_spec(
        "id createdAt updatedAt archived " + " ".join(f"properties.{p}" for p in CONTACT_PROPERTIES)
    ),
    "deals": parse_spec(
        "id createdAt updatedAt archived associations.contacts.results.id "
        + " ".join(f"properties.{p}" for p in DEAL_PROPERTIES)
    ),
}


class HubSpotResource(VendorConnector):
    """HubSpot CRM v3 with a private-app token."""

    vendor: str = "hubspot"

    # -- deals: Backbone's custom deal properties and deal updates (the studio loop,
    # pipeline/store/deal_invoicing.py and deal_status_sync.py). HubSpot has no idempotency
    # keys; the key travels in a header for both sides' logs, exactly-once is ops.sync_log's.

    def deal_property_exists(self, client: ApiClient, name: str) -> bool:
        """GET /crm/v3/properties/deals/{name}: False on 404."""
        try:
            client.json("GET", f"/crm/v3/properties/deals/{name}")
        except ApiError as exc:
            if exc.status_code == 404:
                return False
            raise
        return True

    def create_deal_property(self, client: ApiClient, key: str, definition: dict) -> str:
        """POST /crm/v3/properties/deals; one that already exists (409) counts as created."""
        try:
            client.json(
                "POST",
                "/crm/v3/properties/deals",
                json=definition,
                headers={"Idempotency-Key": key},
            )
        except ApiError as exc:
            if exc.status_code != 409:
                raise
        return definition["name"]

    def update_deal(self, client: ApiClient, key: str, deal_id: str, properties: dict) -> str:
        """PATCH /crm/v3/objects/deals/{dealId} with only the properties to change."""
        answer = client.json(
            "PATCH",
            f"/crm/v3/objects/deals/{deal_id}",
            json={"properties": properties},
            headers={"Idempotency-Key": key},
        )
        return str(answer.get("id") or deal_id)

    def _objects(self, client: ApiClient, kind: str, params: dict) -> Iterator[Any]:
        records = self.pages(
            client,
            "GET",
            f"/crm/v3/objects/{kind}",
            "results",
            request_for=lambda after: {
                "params": {**params, "limit": 100, **({"after": after} if after else {})}
            },
            next_token=lambda page, _, after: (
                ((page.get("paging") or {}).get("next") or {}).get("after") or None
            ),
            position="after",
        )
        for record in records:
            # Lost pages and non-object records pass through for landing to dead-letter.
            yield project(record, FIELDS[kind]) if isinstance(record, dict) else record

    def list_contacts(self, client: ApiClient):
        return self._objects(client, "contacts", {"properties": ",".join(CONTACT_PROPERTIES)})

    def list_deals(self, client: ApiClient):
        params = {"properties": ",".join(DEAL_PROPERTIES), "associations": "contacts"}
        return self._objects(client, "deals", params)
