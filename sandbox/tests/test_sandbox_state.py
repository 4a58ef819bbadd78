"""BACKBONE_SANDBOX_STATE: what one Sandbox wrote to HubSpot and Xero, the next one (another
process, a second `make demo`) finds there; a file that is not ours is refused in one line."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from sandbox import Sandbox
from sandbox.persist import STATE_ENV, StateFileError
from sandbox.web import dumps
from sandbox.world import BUSINESSES

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer test"}
HS = "/boutique/hubspot/crm/v3"
XERO = "/boutique/xero/api.xro/2.0"
XERO_HEADERS = {"xero-tenant-id": BUSINESSES["boutique"].xero_tenant_id}
UNIQUE_ID = {
    "name": "backbone_customer_id",
    "label": "Backbone customer id",
    "type": "string",
    "fieldType": "text",
    "groupName": "contactinformation",
    "hasUniqueValue": True,
}
LIST = {"name": "VIP complements", "objectTypeId": "0-1", "processingType": "MANUAL"}


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(transport=sb.transport(), base_url="http://sandbox", headers=AUTH)


def _journal_put(c: httpx.Client, key: str) -> httpx.Response:
    journal = {
        "Narration": "Daily sales 2026-11-19",
        "Date": "2026-11-19",
        "JournalLines": [
            {"LineAmount": 12, "AccountCode": "1010", "Description": "Card"},
            {"LineAmount": -12, "AccountCode": "4000", "Description": "Sales"},
        ],
    }
    return c.put(
        f"{XERO}/ManualJournals",
        content=dumps({"ManualJournals": [journal]}),
        headers={**XERO_HEADERS, "Idempotency-Key": key, "content-type": "application/json"},
    )


def _by_customer(customer_id: str) -> dict:
    return {"idProperty": "backbone_customer_id", "id": customer_id, "properties": {}}


def _first_run(sb: Sandbox) -> tuple[str, str]:
    with _client(sb) as c:
        assert c.post(f"{HS}/properties/contacts", json=UNIQUE_ID).status_code == 201
        upsert = c.post(
            f"{HS}/objects/contacts/batch/upsert",
            json={
                "inputs": [{"idProperty": "backbone_customer_id", "id": "C-1", "properties": {}}]
            },
        )
        contact_id = upsert.json()["results"][0]["id"]
        list_id = c.post(f"{HS}/lists", json=LIST).json()["list"]["listId"]
        c.put(f"{HS}/lists/{list_id}/memberships/add", json=[contact_id])
        task = {
            "properties": {"hs_timestamp": "2026-11-21T09:00:00Z", "hs_task_body": "[bb-7]"},
            "associations": [
                {
                    "to": {"id": contact_id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 204}],
                }
            ],
        }
        assert c.post(f"{HS}/objects/tasks", json=task).status_code == 201
        assert _journal_put(c, "journal-1").status_code == 200
    return contact_id, list_id


def test_a_second_sandbox_finds_what_the_first_wrote(tmp_path: Path) -> None:
    state = tmp_path / "sandbox-state.pickle"
    contact_id, list_id = _first_run(Sandbox(now=NOW, state_file=state))
    assert state.is_file()
    later = Sandbox(now=NOW + timedelta(days=1), state_file=state)
    with _client(later) as c:
        assert c.get(f"{HS}/properties/contacts/backbone_customer_id").status_code == 200
        again = c.post(f"{HS}/properties/contacts", json=UNIQUE_ID)
        assert again.status_code == 409  # the second run meets the property it made
        found = c.get(f"{HS}/lists/object-type-id/0-1/name/{LIST['name']}").json()
        assert found["list"]["listId"] == list_id
        members = c.get(f"{HS}/lists/{list_id}/memberships").json()["results"]
        assert [m["recordId"] for m in members] == [contact_id]
        by_id = c.get(
            f"{HS}/objects/contacts/C-1", params={"idProperty": "backbone_customer_id"}
        ).json()
        assert by_id["id"] == contact_id
        search = {
            "filterGroups": [
                {
                    "filters": [
                        {
                            "propertyName": "hs_task_body",
                            "operator": "CONTAINS_TOKEN",
                            "value": "bb-7",
                        }
                    ]
                }
            ]
        }
        assert c.post(f"{HS}/objects/tasks/search", json=search).json()["total"] == 1
        replay = _journal_put(c, "journal-1")  # Xero's stored reply for the same key
        assert replay.status_code == 200
        journals = c.get(f"{XERO}/ManualJournals", headers=XERO_HEADERS).json()["ManualJournals"]
        assert len(journals) == 1
        # New writes keep numbering after the old ones.
        second = c.post(
            f"{HS}/objects/contacts/batch/upsert",
            json={
                "inputs": [{"idProperty": "backbone_customer_id", "id": "C-2", "properties": {}}]
            },
        ).json()["results"][0]
        assert int(second["id"]) == int(contact_id) + 1
    assert [w["replayed"] for w in later.writes if w["vendor"] == "xero"] == [True]
    without = Sandbox(now=NOW)  # no file: in memory, as before
    with _client(without) as c:
        assert c.get(f"{HS}/properties/contacts/backbone_customer_id").status_code == 404


def test_sandboxes_sharing_the_file_see_each_others_writes(tmp_path: Path) -> None:
    state = tmp_path / "state.pickle"
    one = Sandbox(now=NOW, state_file=state)
    two = Sandbox(now=NOW + timedelta(days=1), state_file=state)
    with _client(one) as a, _client(two) as b:
        assert a.post(f"{HS}/lists", json=LIST).status_code == 200
        assert b.get(f"{HS}/lists/object-type-id/0-1/name/{LIST['name']}").status_code == 200
        assert b.post(f"{HS}/lists", json={**LIST, "name": "Lapsed"}).status_code == 200
        assert a.post(f"{HS}/lists", json={**LIST, "name": "Lapsed"}).status_code == 400
    lists = Sandbox(now=NOW, state_file=state).hubspot_state("boutique").lists.values()
    names = sorted(made.name for made in lists)
    assert names == ["Lapsed", "VIP complements"]


def test_the_state_survives_a_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state.pickle"
    code = (
        "import httpx\n"
        "from sandbox import Sandbox\n"
        "sb = Sandbox()\n"
        "auth = {'Authorization': 'Bearer x'}\n"
        "c = httpx.Client(transport=sb.transport(), base_url='http://s', headers=auth)\n"
        f"r = c.post('{HS}/lists', json={LIST!r})\n"
        "assert r.status_code == 200, r.text\n"
    )
    env = {STATE_ENV: str(state), "BACKBONE_SANDBOX_NOW": NOW.isoformat()}
    # The test's own code in a fresh interpreter: nothing untrusted is run.
    subprocess.run([sys.executable, "-c", code], check=True, env={**_base_env(), **env})  # noqa: S603
    monkeypatch.setenv(STATE_ENV, str(state))
    with _client(Sandbox(now=NOW)) as c:
        assert c.get(f"{HS}/lists/object-type-id/0-1/name/{LIST['name']}").status_code == 200


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in (STATE_ENV,)}


def test_a_file_that_is_not_ours_is_refused_in_one_line(tmp_path: Path) -> None:
    state = tmp_path / "state.pickle"
    _first_run(Sandbox(now=NOW, state_file=state))
    with pytest.raises(StateFileError) as other_seed:
        Sandbox(now=NOW, seed=8, state_file=state)
    assert str(state) in str(other_seed.value) and "seed 7" in str(other_seed.value)
    corrupt = tmp_path / "corrupt.pickle"
    corrupt.write_bytes(b"\x80\x05not a pickle at all")
    with pytest.raises(StateFileError) as broken:
        Sandbox(now=NOW, state_file=corrupt)
    assert str(corrupt) in str(broken.value) and "\n" not in str(broken.value)
    hostile = tmp_path / "hostile.pickle"
    hostile.write_bytes(pickle.dumps({"format": "x", "run": subprocess.Popen}))
    with pytest.raises(StateFileError, match="is not sandbox state"):
        Sandbox(now=NOW, state_file=hostile)
