"""The served simulator's request log: what a client in another process sent, in order."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from sandbox import Faults, Sandbox
from sandbox.server import REQUEST_LOG_PATH, start_background
from sandbox.world import BUSINESSES

AUTH = {"Authorization": "Bearer request-log-test"}


def test_the_request_log_lists_each_request_with_its_answer_and_no_query():
    sb = Sandbox(now=datetime(2026, 11, 20, 12, 0, tzinfo=UTC), faults=Faults.parse("429=2"))
    server, base_url = start_background(sb)
    try:
        with httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as http:
            assert http.get(REQUEST_LOG_PATH).json() == []
            http.get("/cafe/square/v2/customers", params={"limit": 5, "email": "a@b.example"})
            http.get("/cafe/square/v2/customers", params={"limit": 5})
            http.put(
                "/cafe/xero/api.xro/2.0/ManualJournals",
                headers={"xero-tenant-id": BUSINESSES["cafe"].xero_tenant_id},
                json={"ManualJournals": []},
            )
            log = http.get(REQUEST_LOG_PATH).json()
    finally:
        server.shutdown()
    # Every second request is refused with 429 (the fault), and the log says so; the log's own
    # reads are neither logged nor counted by the fault injector.
    assert [(r["method"], r["path"], r["status"]) for r in log[:2]] == [
        ("GET", "/cafe/square/v2/customers", 200),
        ("GET", "/cafe/square/v2/customers", 429),
    ]
    assert [(r["method"], r["path"]) for r in log[2:]] == [
        ("PUT", "/cafe/xero/api.xro/2.0/ManualJournals")
    ]
    assert log[2]["status"] != 429
    assert sb.request_count == 3
