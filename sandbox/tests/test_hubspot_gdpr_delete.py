"""HubSpot's GDPR delete (POST /crm/v3/objects/contacts/gdpr-delete; HubSpot's reference:
"Permanently delete a contact (GDPR-compliant)"): 204 with no body; the contact is gone from
listings, reads and lists; an unknown id is 404; an email with no contact is blocklisted, still
204."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from sandbox import Sandbox

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HS = "/studio/hubspot/crm/v3"


def _client(sb: Sandbox) -> httpx.Client:
    headers = {"Authorization": "Bearer test"}
    return httpx.Client(transport=sb.transport(), base_url="http://sandbox", headers=headers)


def test_a_gdpr_deleted_contact_is_gone_for_good() -> None:
    sb = Sandbox(now=NOW, seed=7)
    with _client(sb) as c:
        contacts = c.get(f"{HS}/objects/contacts", params={"limit": 100}).json()["results"]
        victim = contacts[0]["id"]
        body = {"name": "VIP", "objectTypeId": "0-1", "processingType": "MANUAL"}
        made = c.post(f"{HS}/lists", json=body)
        list_id = made.json()["list"]["listId"]
        c.put(f"{HS}/lists/{list_id}/memberships/add", json=[victim])

        answer = c.post(f"{HS}/objects/contacts/gdpr-delete", json={"objectId": victim})
        assert (answer.status_code, answer.content) == (204, b"")

        listed = c.get(f"{HS}/objects/contacts", params={"limit": 100}).json()["results"]
        assert victim not in {r["id"] for r in listed}
        assert c.get(f"{HS}/objects/contacts/{victim}").status_code == 404
        members = c.get(f"{HS}/lists/{list_id}/memberships").json()["results"]
        assert victim not in {m["recordId"] for m in members}
        again = c.post(f"{HS}/objects/contacts/gdpr-delete", json={"objectId": victim})
        assert again.status_code == 404

        unknown = {"objectId": "nobody@example.org", "idProperty": "email"}
        assert c.post(f"{HS}/objects/contacts/gdpr-delete", json=unknown).status_code == 204
    assert "nobody@example.org" in sb.hubspot_state("studio").blocklisted_emails
