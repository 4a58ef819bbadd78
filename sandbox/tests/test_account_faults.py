"""The simulator as a less kind vendor: an account without an endpoint, 200s whose body broke
on the way, and pages smaller than the client asked for."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from sandbox import Faults, Sandbox
from sandbox.world import BUSINESSES

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer account-faults-test"}


def _client(faults: str) -> httpx.Client:
    sb = Sandbox(now=NOW, faults=Faults.parse(faults))
    return httpx.Client(transport=sb.transport(), base_url="http://sandbox", headers=AUTH)


def _is_json(response: httpx.Response) -> bool:
    try:
        json.loads(response.content)
    except ValueError:
        return False
    return True


def test_new_fault_specs_parse_and_bad_ones_are_refused() -> None:
    f = Faults.parse("truncated=3,html=5,404=/v2/disputes,403=/v2/payouts/,pagesize=7")
    assert (f.truncated_every, f.html_every, f.page_size) == (3, 5, 7)
    assert f.missing == ((404, "/v2/disputes"), (403, "/v2/payouts"))
    for bad in ("404=v2/disputes", "404", "pagesize=0", "truncated=x", "html=2:1"):
        with pytest.raises(ValueError):
            Faults.parse(bad)


def test_an_account_without_disputes_answers_404_in_squares_shape_and_nothing_else_changes():
    with _client("404=/v2/disputes") as c:
        disputes = c.get("/cafe/square/v2/disputes")
        payments = c.get("/cafe/square/v2/payments", params={"location_id": "LCAFE01"})
    assert disputes.status_code == 404
    assert disputes.json()["errors"][0]["category"] == "INVALID_REQUEST_ERROR"
    assert disputes.json()["errors"][0]["code"] == "NOT_FOUND"
    assert payments.status_code == 200 and payments.json()["payments"]


def test_a_missing_permission_answers_403_insufficient_scopes():
    with _client("403=/v2/disputes") as c:
        error = c.get("/cafe/square/v2/disputes").json()["errors"][0]
    # Square's ErrorCode enum (vendor spec) names the missing-permission case this way.
    assert (error["category"], error["code"]) == ("AUTHENTICATION_ERROR", "INSUFFICIENT_SCOPES")


def test_truncated_and_html_bodies_fire_on_schedule_with_status_200():
    with _client("truncated=3,html=4") as c:
        answers = [c.get("/cafe/square/v2/locations") for _ in range(9)]
    assert [r.status_code for r in answers] == [200] * 9
    readable = [_is_json(r) for r in answers]
    # 3 and 6 truncated, 8 html; 4 and 9 are skipped because the request before them was
    # spoiled, so a client's retry always gets through.
    assert readable == [True, True, False, True, True, False, True, False, True]
    assert answers[7].headers["content-type"] == "text/html"
    assert answers[2].content == answers[0].content[: len(answers[0].content) // 2]


def test_a_persistent_body_fault_spoils_every_200():
    with _client("truncated=1") as c:
        answers = [c.get("/cafe/square/v2/locations") for _ in range(3)]
    assert not any(_is_json(r) for r in answers)


def test_pagesize_caps_every_vendors_pages_below_what_was_asked():
    with _client("pagesize=7") as c:
        square = c.get("/cafe/square/v2/customers", params={"limit": 100}).json()
        hubspot = c.get("/cafe/hubspot/crm/v3/objects/contacts", params={"limit": 100}).json()
        xero = c.get(
            "/cafe/xero/api.xro/2.0/BankTransactions",
            params={"page": 1, "pageSize": 100},
            headers={"xero-tenant-id": BUSINESSES["cafe"].xero_tenant_id},
        ).json()
    assert len(square["customers"]) == 7 and square["cursor"]
    assert len(hubspot["results"]) == 7 and hubspot["paging"]["next"]["after"]
    assert len(xero["BankTransactions"]) == 7
    assert xero["pagination"]["pageSize"] == 7 and xero["pagination"]["pageCount"] > 1
