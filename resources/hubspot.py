"""HubSpot (CRM): contacts and deals read; custom properties, contact upserts by Backbone's
customer id, segment list memberships and follow-up tasks written (plans in
pipeline/crm/hubspot_sync.py, exactly-once protocol in pipeline/store/hubspot_protocol.py);
Backbone's deal properties created and deals updated (the studio loop)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
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

    def update_deal(self, client: ApiClient, key: str, deal_id: str, properties: dict) -> str:
        """PATCH /crm/v3/objects/deals/{dealId} with only the properties to change."""
        answer = client.json(
            "PATCH",
            f"/crm/v3/objects/deals/{deal_id}",
            json={"properties": properties},
            headers={"Idempotency-Key": key},
        )
        return str(answer.get("id") or deal_id)

    def deal_properties(self, client: ApiClient, deal_id: str, names: list[str]) -> dict:
        """The deal's current values of `names` (read back after a crash)."""
        answer = client.json(
            "GET", f"/crm/v3/objects/deals/{deal_id}", params={"properties": ",".join(names)}
        )
        return answer.get("properties") or {}

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

    # -- writes ----------------------------------------------------------------------------
    # HubSpot has no idempotency keys: each write still carries Backbone's key in a header (for
    # the vendor's logs and ours), and exactly-once comes from pipeline/store/crm_sync.py.

    @staticmethod
    def _write(client: ApiClient, method: str, path: str, key: str, body: Any) -> Any:
        return client.json(method, path, json=body, headers={"Idempotency-Key": key})

    def has_property(self, client: ApiClient, object_type: str, name: str) -> bool:
        try:
            client.json("GET", f"/crm/v3/properties/{object_type}/{name}")
        except ApiError as exc:
            if exc.status_code == 404:
                return False
            raise
        return True

    def create_property(self, client: ApiClient, object_type: str, key: str, body: dict) -> str:
        """Create a custom property; one that exists already (409) counts as created."""
        try:
            self._write(client, "POST", f"/crm/v3/properties/{object_type}", key, body)
        except ApiError as exc:
            if exc.status_code != 409:
                raise
        return body["name"]

    def upsert_contacts(self, client: ApiClient, key: str, id_property: str, inputs: list) -> dict:
        """Batch upsert by a unique property: {"results": [...], "errors": [...]} (a 207 names
        the inputs HubSpot refused; the others were written)."""
        body = {"inputs": [{"idProperty": id_property, **item} for item in inputs]}
        return self._write(client, "POST", "/crm/v3/objects/contacts/batch/upsert", key, body)

    def gdpr_delete_contact(self, client: ApiClient, key: str, contact_id: str) -> str:
        """POST /crm/v3/objects/contacts/gdpr-delete {"objectId": id}: HubSpot deletes the
        contact and its associations for good (204). 'deleted', or 'absent' when HubSpot no
        longer has it (404: deleted before, e.g. by a first attempt whose log row was lost)."""
        try:
            client.request(
                "POST",
                "/crm/v3/objects/contacts/gdpr-delete",
                json={"objectId": contact_id},
                headers={"Idempotency-Key": key},
            )
        except ApiError as exc:
            if exc.status_code != 404:
                raise
            return "absent"
        return "deleted"

    def update_contacts(self, client: ApiClient, key: str, inputs: list) -> dict:
        """Batch update by HubSpot record id (a contact Backbone found, not yet stamped)."""
        body = {"inputs": inputs}
        return self._write(client, "POST", "/crm/v3/objects/contacts/batch/update", key, body)

    def read_contacts(
        self, client: ApiClient, ids: list[str], properties: list[str], id_property: str | None
    ) -> list[dict]:
        body: dict[str, Any] = {
            "inputs": [{"id": i} for i in ids],
            "properties": properties,
            "propertiesWithHistory": [],
        }
        if id_property:
            body["idProperty"] = id_property
        answer = client.json("POST", "/crm/v3/objects/contacts/batch/read", json=body)
        return answer.get("results") or []

    def find_list(self, client: ApiClient, name: str) -> str | None:
        try:
            answer = client.json("GET", f"/crm/v3/lists/object-type-id/0-1/name/{name}")
        except ApiError as exc:
            if exc.status_code == 404:
                return None
            raise
        return str(answer["list"]["listId"])

    def create_list(self, client: ApiClient, key: str, name: str) -> str:
        body = {"name": name, "objectTypeId": "0-1", "processingType": "MANUAL"}
        answer = self._write(client, "POST", "/crm/v3/lists", key, body)
        return str(answer["list"]["listId"])

    def change_members(
        self, client: ApiClient, key: str, list_id: str, action: str, record_ids: list[str]
    ) -> dict:
        """action 'add' or 'remove': HubSpot's answer names the ids it changed and missed."""
        path = f"/crm/v3/lists/{list_id}/memberships/{action}"
        return self._write(client, "PUT", path, key, record_ids)

    def list_members(self, client: ApiClient, list_id: str) -> set[str]:
        members: set[str] = set()
        after = None
        while True:
            params = {"limit": 250, **({"after": after} if after else {})}
            page = client.json("GET", f"/crm/v3/lists/{list_id}/memberships", params=params)
            members.update(str(r["recordId"]) for r in page.get("results") or [])
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return members

    def create_tasks(self, client: ApiClient, key: str, inputs: list) -> dict:
        body = {"inputs": inputs}
        return self._write(client, "POST", "/crm/v3/objects/tasks/batch/create", key, body)

    def contact_tasks(self, client: ApiClient, contact_id: str) -> list[dict]:
        """Every task on a contact, with its body (search pages of 200)."""
        found: list[dict] = []
        after = "0"
        while True:
            body = {
                "filterGroups": [
                    {
                        "filters": [
                            {
                                "propertyName": "associations.contact",
                                "operator": "EQ",
                                "value": contact_id,
                            }
                        ]
                    }
                ],
                "properties": ["hs_task_body"],
                "sorts": ["hs_object_id"],
                "limit": 200,
                "after": after,
            }
            page = client.json("POST", "/crm/v3/objects/tasks/search", json=body)
            found += page.get("results") or []
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return found

    def bound(self, client: ApiClient) -> BoundHubSpot:
        """The calls above bound to one business's client (store: HubSpotApi)."""
        return BoundHubSpot(self, client)


class BoundHubSpot:
    def __init__(self, resource: HubSpotResource, client: ApiClient) -> None:
        self._resource = resource
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return partial(getattr(self._resource, name), self._client)
