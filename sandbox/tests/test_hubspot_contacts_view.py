"""The contacts view kept between requests (sandbox/hubspot_contacts_view.py) answers exactly as a
rebuild from scratch would, after every kind of write, and is not rebuilt by reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from sandbox import Sandbox, hubspot_contacts_view
from sandbox.hubspot_api import find_by
from sandbox.hubspot_properties import BUILTIN

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer test"}
CAFE = "/cafe/hubspot/crm/v3"
EMAIL = next(p for p in BUILTIN["contacts"] if p.name == "email")


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:500]
    return response.json()


def _kept(sb: Sandbox) -> dict:
    return hubspot_contacts_view.contacts_now(sb, "cafe", sb.hubspot_state("cafe"))


def _rebuilt(sb: Sandbox) -> dict:
    """The same contacts from nothing: a Sandbox with no kept view, the same writes."""
    fresh = Sandbox(now=NOW, seed=7)
    fresh._hubspot["cafe"] = sb.hubspot_state("cafe")
    return hubspot_contacts_view.contacts_now(fresh, "cafe", fresh.hubspot_state("cafe"))


def _same_as_rebuilt(sb: Sandbox, emails: list[str]) -> None:
    kept, rebuilt = _kept(sb), _rebuilt(sb)
    assert dict(kept) == dict(rebuilt)
    for email in emails:  # the kept index against a scan of every record
        assert find_by(kept, EMAIL, email) == find_by(dict(rebuilt), EMAIL, email)


def test_every_write_leaves_the_view_a_rebuild_would_give() -> None:
    sb = Sandbox(now=NOW, seed=7)
    with httpx.Client(transport=sb.transport(), base_url="http://sandbox", headers=AUTH) as c:
        listed = _ok(c.get(f"{CAFE}/objects/contacts", params={"limit": 3}))["results"]
        a, b, gone = listed
        a_email, b_email = a["properties"]["email"], b["properties"]["email"]
        emails = [a_email, b_email, "new.one@example.com", "MOVED@example.com"]
        _same_as_rebuilt(sb, emails)

        # Upsert by email: one existing (case and spaces differ), one new.
        upsert = {
            "inputs": [
                {"idProperty": "email", "id": f" {a_email.upper()} ", "properties": {"city": "X"}},
                {"idProperty": "email", "id": "new.one@example.com", "properties": {}},
            ]
        }
        done = _ok(c.post(f"{CAFE}/objects/contacts/batch/upsert", json=upsert))["results"]
        assert [r["new"] for r in done] == [False, True]
        new_id = done[1]["id"]
        assert int(new_id) > 90_000_000
        _same_as_rebuilt(sb, emails)

        # An update that moves a mailbox: the old one finds nobody, the new one finds b.
        update = {"inputs": [{"id": b["id"], "properties": {"email": "moved@example.com"}}]}
        _ok(c.post(f"{CAFE}/objects/contacts/batch/update", json=update))
        assert find_by(_kept(sb), EMAIL, b_email) is None
        assert find_by(_kept(sb), EMAIL, "MOVED@example.com") == b["id"]
        _same_as_rebuilt(sb, emails)

        # A second new contact follows the first; a GDPR delete takes one away.
        more = {"inputs": [{"idProperty": "email", "id": "two@example.com", "properties": {}}]}
        second = _ok(c.post(f"{CAFE}/objects/contacts/batch/upsert", json=more))["results"][0]
        assert int(second["id"]) == int(new_id) + 1
        assert c.post(f"{CAFE}/objects/contacts/gdpr-delete", json={"objectId": gone["id"]})
        assert gone["id"] not in _kept(sb)
        _same_as_rebuilt(sb, [*emails, "two@example.com"])
        got = c.get(f"{CAFE}/objects/contacts/{a_email}", params={"idProperty": "email"})
        assert (_ok(got)["id"], _ok(got)["properties"]["email"]) == (a["id"], a_email)


def test_reads_reuse_the_view_and_a_write_replaces_it(monkeypatch) -> None:
    sb = Sandbox(now=NOW, seed=7)
    built = []
    real = hubspot_contacts_view._generated
    monkeypatch.setattr(hubspot_contacts_view, "_generated", lambda *a: built.append(1) or real(*a))
    with httpx.Client(transport=sb.transport(), base_url="http://sandbox", headers=AUTH) as c:
        first = _ok(c.get(f"{CAFE}/objects/contacts", params={"limit": 100}))
        after = first["paging"]["next"]["after"]
        _ok(c.get(f"{CAFE}/objects/contacts", params={"limit": 100, "after": after}))
        before = _kept(sb)
        upsert = {"inputs": [{"idProperty": "email", "id": "x@example.com", "properties": {}}]}
        _ok(c.post(f"{CAFE}/objects/contacts/batch/upsert", json=upsert))
        assert built == [1]  # generated contacts built once for the Sandbox
        assert _kept(sb) is not before  # a new view; the old one is unchanged for its readers
        assert "x@example.com" not in {r["properties"]["email"] for r in before.values()}
