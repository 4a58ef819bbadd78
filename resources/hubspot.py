"""HubSpot (CRM): contacts and deals read; contacts upserted and list memberships synced."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.kernel.fields import parse_spec, project
from resources.connector import VendorConnector
from resources.http import ApiClient

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
