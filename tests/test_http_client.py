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
