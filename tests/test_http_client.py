"""The shared vendor client: what is retried, how long it waits, what is not retried."""

import time

import httpx
import pytest

from resources.http import ApiClient, ApiError, RetryableStatus


def scripted(*responses):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        status, headers = responses[min(len(calls), len(responses)) - 1]
        return httpx.Response(status, headers=headers, json={"ok": status < 400})

    return httpx.MockTransport(handler), calls


def client(transport, attempts=5):
    return ApiClient(
        "test",
        "http://vendor.test",
        {"Authorization": "Bearer t"},
        transport=transport,
        attempts=attempts,
        wait_initial=0.01,
        wait_max=0.05,
    )


def test_retry_after_is_honoured():
    transport, calls = scripted((429, {"Retry-After": "0.4"}), (200, {}))
    started = time.monotonic()
    assert client(transport).json("GET", "/x") == {"ok": True}
    assert time.monotonic() - started >= 0.4
    assert len(calls) == 2


def test_429_without_retry_after_and_5xx_back_off_and_succeed():
    transport, calls = scripted((429, {}), (503, {}), (500, {}), (200, {}))
    api = client(transport)
    assert api.json("GET", "/x") == {"ok": True}
    assert len(calls) == 4
    assert api.stats.retries == 3
    assert api.stats.by_status == {429: 1, 503: 1, 500: 1, 200: 1}


def test_client_errors_are_not_retried():
    transport, calls = scripted((400, {}))
    with pytest.raises(ApiError, match="400"):
        client(transport).json("GET", "/x")
    assert len(calls) == 1


def test_gives_up_after_the_attempt_budget():
    transport, calls = scripted((503, {}))
    with pytest.raises(RetryableStatus):
        client(transport, attempts=3).json("GET", "/x")
    assert len(calls) == 3


def test_error_messages_carry_no_query_string():
    transport, _ = scripted((404, {}))
    with pytest.raises(ApiError) as info:
        client(transport).json("GET", "/contacts", params={"email": "jane@example.com"})
    assert "jane" not in str(info.value)


def test_timeouts_are_retried():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow vendor", request=request)
        return httpx.Response(200, json={"ok": True})

    assert client(httpx.MockTransport(handler)).json("GET", "/x") == {"ok": True}
    assert len(calls) == 2


def test_a_repeated_cursor_stops_paging():
    from resources.square import SquareResource

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"customers": [{"id": "c1"}], "cursor": "same"})

    square = SquareResource(base_url="http://vendor.test", access_token="t")
    with pytest.raises(RuntimeError, match="came back again"):
        list(square.list_customers(client(httpx.MockTransport(handler))))


def test_urls_in_messages_keep_their_port_and_drop_the_query():
    from resources.http import safe_url

    assert (
        safe_url(httpx.URL("http://127.0.0.1:8787/cafe/square/v2/payments?cursor=x&email=a@b.c"))
        == "http://127.0.0.1:8787/cafe/square/v2/payments"
    )
    # A scheme's default port is not explicit, so it is not printed.
    assert safe_url(httpx.URL("https://api.xero.com/api.xro/2.0/Invoices?page=2")) == (
        "https://api.xero.com/api.xro/2.0/Invoices"
    )


def test_refusals_and_spent_retries_name_vendor_method_url_with_port_and_status_on_one_line():
    def handler(request: httpx.Request) -> httpx.Response:
        status = 404 if request.url.path == "/gone" else 503
        # A vendor's pretty-printed error body must not break the reason over lines.
        return httpx.Response(status, text='{\n  "errors": [\n    {"code": "NOT_FOUND"}\n  ]\n}')

    api = ApiClient(
        "square",
        "http://vendor.test:8443",
        {"Authorization": "Bearer secret-token"},
        transport=httpx.MockTransport(handler),
        attempts=2,
        wait_initial=0.01,
        wait_max=0.02,
    )
    with pytest.raises(ApiError) as refused:
        api.json("GET", "/gone", params={"email": "jane@example.com"})
    with pytest.raises(RetryableStatus) as spent:
        api.json("GET", "/busy")
    assert str(refused.value).startswith("square: GET http://vendor.test:8443/gone -> 404: ")
    assert str(spent.value) == "square: GET http://vendor.test:8443/busy -> 503 (retries spent)"
    for message in (str(refused.value), str(spent.value)):
        assert "\n" not in message and "secret-token" not in message and "jane" not in message


def _bodies(*bodies):
    """A vendor answering 200 with these bodies in turn (the last one repeats)."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        content_type, text = bodies[min(len(calls), len(bodies)) - 1]
        return httpx.Response(200, headers={"content-type": content_type}, text=text)

    return httpx.MockTransport(handler), calls


def test_a_truncated_200_is_retried_like_a_5xx():
    transport, calls = _bodies(
        ("application/json", '{"customers": [{"id": "c1"'),
        (
            "application/json",
            '{"customers": [{"id": "c1"}]}',
        ),
    )
    api = client(transport)
    assert api.json("GET", "/v2/customers") == {"customers": [{"id": "c1"}]}
    assert len(calls) == 2 and api.stats.retries == 1 and api.stats.broken_bodies == 1


def test_an_html_200_and_a_list_where_an_object_belongs_are_broken_bodies():
    from resources.http import BrokenBody

    gateway = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    for body in (("text/html", gateway), ("application/json", '[{"id": "c1"}]')):
        transport, calls = _bodies(body)
        with pytest.raises(BrokenBody) as info:
            client(transport, attempts=3).json("GET", "/v2/customers")
        assert len(calls) == 3
        assert str(info.value).startswith(
            "test: GET http://vendor.test/v2/customers -> 200 with an unreadable body"
        )


def test_hubspot_429_waits_out_the_window_its_headers_name():
    """HubSpot sends no Retry-After: X-HubSpot-RateLimit-Remaining 0 means wait the rolling
    window (Interval-Milliseconds); a spent per-second limit means a second."""
    window = {
        "X-HubSpot-RateLimit-Max": "100",
        "X-HubSpot-RateLimit-Remaining": "0",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "300",
    }
    transport, calls = scripted((429, window), (200, {}))
    started = time.monotonic()
    assert client(transport).json("GET", "/crm/v3/objects/contacts") == {"ok": True}
    assert time.monotonic() - started >= 0.3
    assert len(calls) == 2
    secondly = httpx.Response(429, headers={"X-HubSpot-RateLimit-Secondly-Remaining": "0"})
    secondly.request = httpx.Request("GET", "https://api.example/x")
    assert RetryableStatus(secondly).retry_after == 1.0
