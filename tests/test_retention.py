"""Raw payloads older than the retention lose their personal fields; newer ones, amounts, ids
and dates stay."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest

from pipeline.settings import raw_retention_days
from pipeline.store.retention import PURGED, purge_expired_pii
from pipeline.store.schema import migrate

OLD = datetime(2024, 1, 10, 12, tzinfo=UTC)
NEW = datetime(2026, 11, 19, 12, tzinfo=UTC)
CUTOFF = datetime(2024, 11, 20, tzinfo=UTC)
CUSTOMER = {
    "id": "JZKXGDVTZ2MGQJB45AHOLLFKDX",
    "given_name": "Patricia",
    "family_name": "Ortiz",
    "email_address": "patricia.o@example.org",
    "phone_number": "971.304.6520",
    "address": {"postal_code": "97232", "country": "US"},
    "created_at": "2024-01-01T07:47:31.061Z",
}
ORDER = {
    "id": "IJuwhc67dcITec0uOBc9sBzW2gE",
    "state": "COMPLETED",
    "customer_id": "JZKXGDVTZ2MGQJB45AHOLLFKDX",
    "total_money": {"amount": 517, "currency": "USD"},
    "line_items": [{"name": "Cappuccino", "quantity": "1"}],
    "fulfillments": [{"pickup_details": {"recipient": {"display_name": "Patricia Ortiz"}}}],
}


def _land(con, table: str, record: dict, at: datetime) -> None:
    con.execute(
        f"INSERT INTO raw.{table} VALUES (?, 'cafe', 'LCAFE01', NULL, NULL, NULL, ?, ?, 'r1')",
        [record["id"] + at.isoformat(), json.dumps(record), at],
    )


def _payloads(con, table: str) -> dict[datetime, dict]:
    rows = con.execute(f"SELECT _extracted_at, payload FROM raw.{table}").fetchall()
    return {at: json.loads(p) for at, p in rows}


def test_payloads_landed_before_the_cutoff_lose_their_personal_fields_only():
    con = duckdb.connect()
    migrate(con)
    for at in (OLD, NEW):
        _land(con, "square_customers", CUSTOMER, at)
        _land(con, "square_orders", ORDER, at)

    assert purge_expired_pii(con, CUTOFF) == {"square_customers": 1, "square_orders": 1}

    customers = _payloads(con, "square_customers")
    assert customers[NEW] == CUSTOMER
    old = customers[OLD]
    assert (old["given_name"], old["family_name"]) == (PURGED, PURGED)
    assert (old["email_address"], old["phone_number"]) == (None, None)
    assert old["address"] == {"postal_code": PURGED, "country": PURGED}
    assert (old["id"], old["created_at"]) == (CUSTOMER["id"], CUSTOMER["created_at"])
    orders = _payloads(con, "square_orders")
    assert orders[NEW] == ORDER
    kept = {k: v for k, v in orders[OLD].items() if k != "fulfillments"}
    assert kept == {k: v for k, v in ORDER.items() if k != "fulfillments"}
    assert "Patricia" not in json.dumps(orders[OLD])
    # A second purge finds nothing left to change, and says so in the audit log.
    assert purge_expired_pii(con, CUTOFF) == {}
    assert con.execute(
        "SELECT count(*) FROM ops.audit_log WHERE action = 'retention_purge'"
    ).fetchone() == (2,)


def test_the_retention_is_two_years_unless_configured(monkeypatch):
    monkeypatch.delenv("BACKBONE_RAW_RETENTION_DAYS", raising=False)
    assert raw_retention_days() == 730
    monkeypatch.setenv("BACKBONE_RAW_RETENTION_DAYS", "90")
    assert raw_retention_days() == 90
    monkeypatch.setenv("BACKBONE_RAW_RETENTION_DAYS", "ninety")
    with pytest.raises(ValueError, match="BACKBONE_RAW_RETENTION_DAYS"):
        raw_retention_days()
