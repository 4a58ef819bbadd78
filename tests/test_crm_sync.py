"""Customer facts, segment lists and refund follow-up tasks to HubSpot, over the in-process
simulator with the real connector: only changes are sent, and re-runs, a crash between a call
and its log row, 207 partial failures and 429s never make HubSpot receive anything twice.

Everything is counted from what the simulator received (`Sandbox.writes`), not from our logs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import httpx
import pytest

from pipeline.crm.hubspot_sync import ID_PROPERTY
from pipeline.store.hubspot_contacts import sync_contacts
from pipeline.store.hubspot_segments import sync_lists, sync_tasks
from pipeline.store.schema import migrate
from resources.hubspot import HubSpotResource
from sandbox import Faults, Sandbox
from tests.conftest import SANDBOX_NOW

B = "boutique"
TODAY = SANDBOX_NOW.date()
IN_PROCESS = "http://sandbox.invalid/{business}/hubspot"
OK = (200, 201, 207)


class Crash(BaseException):
    """The process dies: nothing after the call runs, not even an except clause."""


def _existing_contact(sandbox: Sandbox) -> dict:
    hubspot = HubSpotResource(base_url=IN_PROCESS, access_token="t")
    with hubspot.client(B) as client:
        contact = next(iter(hubspot.list_contacts(client)))
    return contact


def _warehouse(linked: dict) -> duckdb.DuckDBPyConnection:
    """A boutique's modelled customers: one the identity graph linked to a HubSpot contact, one
    known only to the POS by email, one by phone, and one with a name only (never synced)."""
    con = duckdb.connect()
    migrate(con)
    for schema in ("core", "marts", "ref"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    props = linked["properties"]
    con.execute(
        """
        CREATE TABLE core.customers AS SELECT * FROM (VALUES
            ('cus_linked', 'boutique', ?, NULL, ?, ?),
            ('cus_email', 'boutique', 'dana.reyes@example.com', NULL, 'Dana', 'Reyes'),
            ('cus_phone', 'boutique', NULL, '+12065550143', 'Omar', 'Haddad'),
            ('cus_nameonly', 'boutique', NULL, NULL, 'Lee', NULL)
        ) AS t(customer_id, business_id, email, phone, given_name, family_name)
        """,
        [props.get("email"), props.get("firstname"), props.get("lastname")],
    )
    con.execute(
        "CREATE TABLE core.identity_map AS SELECT 'boutique' AS business_id, 'hubspot' AS source, "
        "? AS source_id, 'cus_linked' AS customer_id",
        [linked["id"]],
    )
    con.execute(
        """
        CREATE TABLE marts.customer_facts (customer_id VARCHAR, business_id VARCHAR,
            visits INTEGER, first_purchase DATE, last_purchase DATE, gross_sales DECIMAL(18,2),
            refunds DECIMAL(18,2), net_ltv DECIMAL(18,2), vip_tier VARCHAR, categories VARCHAR,
            brands VARCHAR, sizes VARCHAR)
        """
    )
    con.executemany(
        "INSERT INTO marts.customer_facts VALUES (?, 'boutique', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("cus_linked", 9, date(2026, 3, 2), date(2026, 11, 14), Decimal("1840.00"),
             Decimal("120.50"), Decimal("1719.50"), "gold", "Dresses;Knitwear", "Loom & Co",
             "M"),
            ("cus_email", 2, date(2026, 10, 1), date(2026, 11, 12), Decimal("310.00"),
             Decimal("0.00"), Decimal("310.00"), None, "Denim", "Indigo Row", "28;M"),
            ("cus_phone", 6, date(2026, 1, 9), date(2026, 8, 30), Decimal("420.75"),
             Decimal("0.00"), Decimal("420.75"), None, "Accessories", None, None),
            ("cus_nameonly", 1, date(2026, 11, 3), date(2026, 11, 3), Decimal("45.00"),
             Decimal("45.00"), Decimal("0.00"), None, "Accessories", None, None),
        ],
    )  # fmt: skip
    con.execute(
        """
        CREATE TABLE ref.segments AS SELECT * FROM (VALUES
            ('vip_complements', 'email', 'VIP complements'),
            ('new_arrivals_interest', 'email', 'New arrivals interest'),
            ('lapsed_regulars', 'email', 'Lapsed regulars'),
            ('refund_follow_up', 'task', 'Refund follow-up')
        ) AS t(segment, channel, hubspot_list_name)
        """
    )
    con.execute(
        """
        CREATE TABLE marts.segment_memberships (business_id VARCHAR, segment VARCHAR,
            customer_id VARCHAR, since DATE, channel VARCHAR, reason VARCHAR, member_key VARCHAR,
            marketing BOOLEAN, suggestions VARCHAR)
        """
    )
    _member(
        con, "vip_complements", "cus_linked", TODAY - timedelta(days=6), "email",
        suggestions="Wool Scarf;Linen Dress",
    )  # fmt: skip
    _member(con, "new_arrivals_interest", "cus_email", TODAY - timedelta(days=2), "email")
    _member(con, "new_arrivals_interest", "cus_linked", TODAY - timedelta(days=2), "email")
    _member(con, "lapsed_regulars", "cus_phone", TODAY - timedelta(days=20), "email")
    _member(con, "refund_follow_up", "cus_email", TODAY - timedelta(days=1), "task", "r1")
    _member(con, "refund_follow_up", "cus_nameonly", TODAY - timedelta(days=1), "task", "r2")
    return con


def _member(con, segment, customer, since, channel, occurrence=None, suggestions=None) -> None:
    key = f"{segment}:{occurrence or customer}"
    con.execute(
        "INSERT INTO marts.segment_memberships VALUES ('boutique', ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            segment,
            customer,
            since,
            channel,
            f"{segment} since {since}",
            key,
            channel != "task",
            suggestions,
        ],
    )


@pytest.fixture
def sandbox(monkeypatch) -> Sandbox:
    sb = Sandbox(now=SANDBOX_NOW, faults=Faults())
    monkeypatch.setattr("resources.connector.in_process_transport", sb.transport)
    return sb


@pytest.fixture
def con(sandbox) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = _warehouse(_existing_contact(sandbox))
    yield connection
    connection.close()


def _sync(con, api=None, hubspot: HubSpotResource | None = None) -> dict:
    hubspot = hubspot or HubSpotResource(base_url=IN_PROCESS, access_token="t")
    at = SANDBOX_NOW
    with hubspot.client(B) as client:
        bound = api(hubspot.bound(client)) if api else hubspot.bound(client)
        done = {}
        done["contacts"] = sync_contacts(con, B, bound, run_id="r", at=at)
        done["lists"] = sync_lists(con, B, bound, run_id="r", at=at)
        done["tasks"] = sync_tasks(con, B, bound, run_id="r", at=at)
    return done


def _received(sandbox: Sandbox) -> dict[str, Counter]:
    """What HubSpot accepted, item by item: property values per contact key, list adds and
    removes per (list, record), tasks per Backbone marker."""
    got: dict[str, Counter] = {k: Counter() for k in ("props", "adds", "removes", "tasks")}
    for w in sandbox.writes:
        if w["vendor"] != "hubspot" or w["status"] not in OK:
            continue
        path, body = w["path"], w.get("body")
        if path.endswith("/contacts/batch/upsert") or path.endswith("/contacts/batch/update"):
            for item in body["inputs"]:
                for name, value in item["properties"].items():
                    got["props"][(item["id"], name, value)] += 1
        elif "/memberships/" in path:
            kind = "adds" if path.endswith("/add") else "removes"
            list_id = path.split("/")[4]
            for record in body:
                got[kind][(list_id, str(record))] += 1
        elif path.endswith("/tasks/batch/create"):
            for item in body["inputs"]:
                got["tasks"][item["properties"]["hs_task_body"].rsplit("[", 1)[-1]] += 1
    return got


def _no_duplicates(sandbox: Sandbox) -> None:
    for kind, counts in _received(sandbox).items():
        twice = {k: n for k, n in counts.items() if n > 1}
        assert not twice, f"HubSpot received {kind} more than once: {twice}"


def test_first_sync_then_three_reruns_send_nothing_twice(con, sandbox):
    done = _sync(con)
    received = _received(sandbox)
    # Contacts: the linked one stamped by id, two created by upsert; the name-only never.
    stamped = {k for k in received["props"] if k[1] == ID_PROPERTY}
    assert {v for _, _, v in stamped} == {"cus_linked", "cus_email", "cus_phone"}
    assert ("cus_email", "email", "dana.reyes@example.com") in received["props"]
    assert ("cus_email", "backbone_net_ltv", "310.00") in received["props"]
    suggested = {v for (_, name, v) in received["props"] if name == "backbone_suggestions"}
    assert suggested == {"Linen Dress;Wool Scarf"}  # the VIP's complements, for the email
    assert not [k for k in received["props"] if k[2] == ""]  # no blank sent where none was
    assert not any(k[0] == "cus_nameonly" for k in received["props"])
    # The linked contact keeps its own name and email: only Backbone's properties are sent.
    linked_props = {n for i, n, _ in received["props"] if i not in ("cus_email", "cus_phone")}
    assert linked_props and all(n.startswith("backbone_") for n in linked_props)
    # Lists: three email segments, four members; one task (the name-only customer has no contact).
    assert sum(received["adds"].values()) == 4
    assert len(received["tasks"]) == 1
    assert done["tasks"].sent == 1
    writes = len(sandbox.writes)
    for _ in range(3):
        again = _sync(con)
        assert all(o.calls == 0 for o in again.values())
    assert len(sandbox.writes) == writes
    _no_duplicates(sandbox)


def test_only_changed_properties_are_sent_and_a_member_who_leaves_is_removed(con, sandbox):
    _sync(con)
    before = len(sandbox.writes)
    # A return lowers cus_email's LTV; cus_phone leaves lapsed_regulars (they came back).
    con.execute(
        "UPDATE marts.customer_facts SET refunds = 60.00, net_ltv = 250.00 "
        "WHERE customer_id = 'cus_email'"
    )
    con.execute("DELETE FROM marts.segment_memberships WHERE customer_id = 'cus_phone'")
    _sync(con)
    new = sandbox.writes[before:]
    upserts = [w for w in new if w["path"].endswith("/batch/upsert")]
    assert len(upserts) == 1
    assert upserts[0]["body"]["inputs"] == [
        {
            "idProperty": ID_PROPERTY,
            "id": "cus_email",
            "properties": {
                ID_PROPERTY: "cus_email",
                "backbone_refunds": "60.00",
                "backbone_net_ltv": "250.00",
            },
        }
    ]
    removes = [w for w in new if w["path"].endswith("/memberships/remove")]
    assert len(removes) == 1 and len(removes[0]["body"]) == 1
    assert con.execute(
        "SELECT count(*) FROM ops.crm_list_members WHERE customer_id = 'cus_phone'"
    ).fetchone() == (0,)


def _dies_after(method: str):
    def wrap(api):
        class Dying:
            def __getattr__(self, name):
                real = getattr(api, name)
                if name != method:
                    return real

                def call(*args, **kwargs):
                    real(*args, **kwargs)
                    raise Crash(f"killed after {method}")

                return call

        return Dying()

    return wrap


@pytest.mark.parametrize(
    "method", ["update_contacts", "upsert_contacts", "change_members", "create_tasks"]
)
def test_a_crash_between_a_call_and_its_log_row_sends_nothing_twice(con, sandbox, method):
    with pytest.raises(Crash):
        _sync(con, api=_dies_after(method))
    pending = con.execute("SELECT count(*) FROM ops.sync_log WHERE status = 'pending'").fetchone()[
        0
    ]
    assert pending == 1
    done = _sync(con)
    assert sum(o.reconciled for o in done.values()) >= 1
    _no_duplicates(sandbox)
    received = _received(sandbox)
    assert sum(received["adds"].values()) == 4
    assert len(received["tasks"]) == 1
    assert con.execute("SELECT count(*) FROM ops.crm_inflight").fetchone() == (0,)
    writes = len(sandbox.writes)
    _sync(con)
    assert len(sandbox.writes) == writes


def test_throttled_hubspot_still_gets_each_item_once(con, monkeypatch):
    """Every third request answered 429 with HubSpot's headers and no Retry-After (a 0 s
    window under the fault): the connector waits the window out and nothing is sent twice."""
    throttled = Sandbox(now=SANDBOX_NOW, faults=Faults.parse("429=3:0"))
    statuses: Counter = Counter()

    def handle(request: httpx.Request) -> httpx.Response:
        response = throttled.handle(request)
        statuses[response.status_code] += 1
        return response

    monkeypatch.setattr(
        "resources.connector.in_process_transport", lambda: httpx.MockTransport(handle)
    )
    hubspot = HubSpotResource(base_url=IN_PROCESS, access_token="t", retry_wait_initial=0.0)
    done = _sync(con, hubspot=hubspot)
    assert statuses[429] >= 5
    assert not any(o.errors for o in (done["contacts"], done["tasks"]))
    assert sum(_received(throttled)["adds"].values()) == 4
    assert len(_received(throttled)["tasks"]) == 1
    _no_duplicates(throttled)


def test_a_207_refused_input_is_retried_once_in_the_same_run(con, monkeypatch):
    """HubSpot refuses every second input once (207 multi-status): the others are recorded as
    synced, the refused ones go again at once and are taken; only they were sent twice."""
    flaky = Sandbox(now=SANDBOX_NOW, faults=Faults.parse("hubspot207=2"))
    monkeypatch.setattr("resources.connector.in_process_transport", flaky.transport)
    done = _sync(con)
    assert done["contacts"].refused >= 1
    assert 207 in {w["status"] for w in flaky.writes if "/contacts/batch/" in w["path"]}
    assert con.execute("SELECT count(*) FROM ops.crm_contacts").fetchone() == (3,)
    assert con.execute("SELECT count(*) FROM ops.dead_letter").fetchone() == (0,)
    received = _received(flaky)
    again = {key[0] for key, n in received["props"].items() if n > 1}
    assert len(again) == done["contacts"].refused
    assert sum(received["adds"].values()) >= 4
    writes = len(flaky.writes)
    _sync(con)
    assert len(flaky.writes) == writes


def test_a_contact_hubspot_keeps_refusing_is_dead_lettered_then_sent_once_fixed(con, sandbox):
    """An email HubSpot will not take fails alone: the other contacts are synced, the refused one
    is dead-lettered with property names only (no values), and sent once the data is fixed."""
    con.execute("UPDATE core.customers SET email = 'dana.reyes@' WHERE customer_id = 'cus_email'")
    _sync(con)
    dead = con.execute(
        "SELECT record_id, reason, payload FROM ops.dead_letter WHERE stage = 'hubspot_contacts'"
    ).fetchall()
    assert [row[0] for row in dead] == ["cus_email"]
    assert dead[0][1].startswith("HubSpot refused the contact")
    assert "dana" not in dead[0][1] + dead[0][2] and "email" in dead[0][2]
    assert con.execute("SELECT count(*) FROM ops.crm_contacts").fetchone() == (2,)
    con.execute(
        "UPDATE core.customers SET email = 'dana.reyes@example.com' WHERE customer_id = 'cus_email'"
    )
    _sync(con)
    assert con.execute("SELECT count(*) FROM ops.crm_contacts").fetchone() == (3,)
    assert con.execute("SELECT count(*) FROM ops.dead_letter").fetchone() == (0,)
    received = _received(sandbox)
    assert received["props"][("cus_email", "email", "dana.reyes@example.com")] == 1
    assert sum(received["adds"].values()) == 4


SHAPES = {
    ("POST", "/crm/v3/properties/contacts"): "PropertyCreate",
    ("POST", "/crm/v3/objects/contacts/batch/upsert"): "BatchInputUpsert",
    ("POST", "/crm/v3/objects/contacts/batch/update"): "BatchInputUpdate",
    ("POST", "/crm/v3/objects/contacts/batch/read"): "BatchReadInput",
    ("POST", "/crm/v3/lists"): "ListCreateRequest",
    ("PUT", "memberships"): "RecordIds",
    ("POST", "/crm/v3/objects/tasks/batch/create"): "BatchInputForCreate",
    ("POST", "/crm/v3/objects/tasks/search"): "SearchRequest",
}


def test_every_request_body_has_hubspots_shape(con, sandbox, monkeypatch):
    """Each body Backbone sends, reads after a crash included, against HubSpot's reference
    shapes (sandbox/tests/hubspot_shapes.py, written from HubSpot's public API docs)."""
    import json

    from sandbox.tests.hubspot_shapes import check

    seen: list[tuple[str, str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        path = "/" + request.url.path.split("/hubspot/", 1)[1]
        if request.content:
            seen.append((request.method, path, json.loads(request.content)))
        return sandbox.handle(request)

    monkeypatch.setattr(
        "resources.connector.in_process_transport", lambda: httpx.MockTransport(handle)
    )
    for method in ("upsert_contacts", "update_contacts", "change_members", "create_tasks"):
        with pytest.raises(Crash):
            _sync(con, api=_dies_after(method))
    _sync(con)
    checked = Counter()
    for method, path, body in seen:
        name = SHAPES.get((method, "memberships" if "/memberships/" in path else path))
        assert name, f"unexpected HubSpot call {method} {path}"
        check(name, body)
        checked[name] += 1
    assert set(checked) == set(SHAPES.values())


_SYNC_PROCESS = """
import sys
from datetime import datetime
from pathlib import Path
from pipeline.store.connection import open_duckdb
from pipeline.store.hubspot_contacts import sync_contacts
from pipeline.store.hubspot_segments import sync_lists, sync_tasks
from resources.hubspot import HubSpotResource

base_url, warehouse, run_id = sys.argv[1:4]
hubspot = HubSpotResource(base_url=base_url + "/{business}/hubspot", access_token="t")
at = datetime.fromisoformat("2026-11-20T12:00:00+00:00")
con = open_duckdb(Path(warehouse))  # DuckDB's single writer: a second process waits here
with hubspot.client("boutique") as client:
    api = hubspot.bound(client)
    sync_contacts(con, "boutique", api, run_id=run_id, at=at)
    sync_lists(con, "boutique", api, run_id=run_id, at=at)
    sync_tasks(con, "boutique", api, run_id=run_id, at=at)
con.close()
"""


def test_two_overlapping_runs_over_real_http_send_each_item_once(con, sandbox, tmp_path):
    """Two processes sync the same warehouse at once against the simulator served over HTTP:
    the warehouse's single writer makes one wait for the other, which then finds nothing new."""
    import subprocess
    import sys

    from sandbox.server import start_background

    warehouse = tmp_path / "warehouse.duckdb"
    con.execute(f"ATTACH '{warehouse}' AS file")
    con.execute("COPY FROM DATABASE memory TO file")
    con.execute("DETACH file")
    served = Sandbox(now=SANDBOX_NOW, faults=Faults())
    server, base_url = start_background(served)
    try:
        runs = [
            subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [sys.executable, "-c", _SYNC_PROCESS, base_url, str(warehouse), f"run-{n}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in (1, 2)
        ]
        for run in runs:
            _, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
    finally:
        server.shutdown()
    received = _received(served)
    assert sum(received["adds"].values()) == 4
    assert len(received["tasks"]) == 1
    _no_duplicates(served)


def test_a_value_that_becomes_blank_is_cleared_once():
    from pipeline.crm.hubspot_sync import changed_properties, digest

    desired = {ID_PROPERTY: "cus_1", "backbone_vip_tier": "", "backbone_visits": "3"}
    first = changed_properties(desired, {})
    assert first == {ID_PROPERTY: "cus_1", "backbone_visits": "3"}
    synced = {ID_PROPERTY: digest("cus_1"), "backbone_vip_tier": digest("gold")}
    synced["backbone_visits"] = digest("3")
    assert changed_properties(desired, synced) == {ID_PROPERTY: "cus_1", "backbone_vip_tier": ""}
    synced["backbone_vip_tier"] = digest("")
    assert changed_properties(desired, synced) == {}
