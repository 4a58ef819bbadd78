"""Paging until the vendor says there is no more, and what stops it: a token seen before, the
page ceiling, a page whose body stays broken, an optional endpoint the account lacks."""

from __future__ import annotations

import httpx
import pytest

from pipeline.extraction.landing import land_snapshot
from pipeline.extraction.paging import LostPage, PagingError, Unavailable
from resources.http import ApiClient, ApiError
from resources.hubspot import HubSpotResource
from resources.square import SquareResource
from resources.xero import XeroResource


def api(handler, vendor="square", base="http://vendor.test:9000") -> ApiClient:
    return ApiClient(
        vendor,
        base,
        {"Authorization": "Bearer t"},
        transport=httpx.MockTransport(handler),
        attempts=3,
        wait_initial=0.01,
        wait_max=0.02,
    )


def square(**kw) -> SquareResource:
    return SquareResource(base_url="http://vendor.test:9000", access_token="t", **kw)


def test_a_cursor_cycle_is_caught_even_when_no_two_pages_in_a_row_repeat():
    following = {None: "A", "A": "B", "B": "A"}

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        return httpx.Response(
            200, json={"customers": [{"id": f"c-{cursor}"}], "cursor": following[cursor]}
        )

    with pytest.raises(PagingError) as info:
        list(square().list_customers(api(handler)))
    assert str(info.value) == (
        "square GET http://vendor.test:9000/v2/customers: page token 'A' came back again after "
        "3 pages; stopping"
    )


def test_the_page_ceiling_stops_a_listing_that_never_ends_and_names_the_endpoint():
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("after") or 0)
        body = {"results": [{"id": str(n)}], "paging": {"next": {"after": str(n + 1)}}}
        return httpx.Response(200, json=body)

    hubspot = HubSpotResource(base_url="http://vendor.test:9000", access_token="t", max_pages=5)
    client = api(handler, "hubspot")
    with pytest.raises(
        PagingError,
        match=r"^hubspot GET http://vendor.test:9000/crm/v3/objects/"
        r"contacts: still more after 5 pages \(the page ceiling\); stopping$",
    ):
        list(hubspot.list_contacts(client))
    assert client.stats.requests == 5


def test_xero_pages_until_an_empty_page_even_when_pages_are_short():
    records = [{"ContactID": f"x{i}", "Name": f"n{i}"} for i in range(8)]
    asked = []

    def handler(request: httpx.Request) -> httpx.Response:
        page, size = int(request.url.params["page"]), int(request.url.params["pageSize"])
        asked.append((page, size))
        served = 3  # the vendor serves fewer than the pageSize we asked for
        return httpx.Response(200, json={"Contacts": records[(page - 1) * served : page * served]})

    xero = XeroResource(base_url="http://vendor.test:9000", access_token="t")
    got = list(xero.list(api(handler, "xero"), "Contacts"))
    assert [r["ContactID"] for r in got] == [f"x{i}" for i in range(8)]
    assert asked == [(1, 100), (2, 100), (3, 100), (4, 100)]  # 3 + 3 + 2, then empty


def test_a_page_that_stays_broken_is_dead_lettered_naming_the_request_and_earlier_pages_land():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") is None:
            body = {"customers": [{"id": "c1"}, {"id": "c2"}], "cursor": "page-2"}
            return httpx.Response(200, json=body)
        return httpx.Response(200, text='{"customers": [{"id": "c3"}, {"id"')  # cut off

    client = api(handler)
    items = list(square().list_customers(client))
    assert items[:2] == [{"id": "c1"}, {"id": "c2"}] and isinstance(items[2], LostPage)
    landing = land_snapshot(
        lambda business: items,
        ["cafe"],
        source="square",
        entity="customers",
        updated_field="updated_at",
        run_id="t",
    )
    assert [r.record_id for r in landing.rows] == ["c1", "c2"]
    [dead] = landing.dead
    assert dead["payload"] == {
        "request": {
            "method": "GET",
            "url": "http://vendor.test:9000/v2/customers",
            "cursor": "page-2",
            "page_number": 2,
        }
    }
    assert dead["reason"].startswith(
        "page lost after retries: square: GET http://vendor.test:9000/v2/customers -> 200 with "
        "an unreadable body (not JSON"
    )
    assert "Bearer" not in str(dead) and client.stats.requests == 1 + 3  # page 2 tried 3 times
    balance = landing.balance("cafe")
    assert (balance.fetched, balance.landed, balance.lost_pages, balance.status) == (
        2,
        2,
        1,
        "partial",
    )
    assert balance.conserved


@pytest.mark.parametrize("status", [404, 403])
def test_missing_disputes_are_a_warning_but_a_missing_required_endpoint_fails(status):
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "NOT_FOUND"}]}
        return httpx.Response(status, json=body)

    [item] = list(square().list_disputes(api(handler)))
    assert isinstance(item, Unavailable)
    assert item.reason.startswith(
        "optional endpoint unavailable (needs DISPUTES_READ, which a merchant may not grant): "
        f"square: GET http://vendor.test:9000/v2/disputes -> {status}: "
    )
    with pytest.raises(
        ApiError, match=rf"^square: GET http://vendor.test:9000/v2/catalog/list -> {status}"
    ):
        list(square().list_catalog(api(handler)))
