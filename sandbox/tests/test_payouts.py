"""Payouts as Square's spec shows them: signs of fees and nets, SENT then PAID on arrival, and the
bank feed depositing each payout on its arrival date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from sandbox import Sandbox
from sandbox.checks import payout_problems
from sandbox.world import BUSINESSES

# Friday 2026-11-20 07:00 in New York: Thursday's payout is sent, not yet arrived (09:00 today).
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer payouts-test"}


@pytest.fixture(scope="module")
def client() -> Any:
    with httpx.Client(
        transport=Sandbox(now=NOW, seed=7).transport(), base_url="http://sandbox", headers=AUTH
    ) as c:
        yield c


def _pages(client: httpx.Client, path: str, key: str, **params: str) -> list[dict]:
    out: list[dict] = []
    cursor = None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        body = client.get(path, params=query).json()
        out += body.get(key, [])
        cursor = body.get("cursor")
        if not cursor:
            return out


def _example(specs_dir: Path, schema: str) -> dict:
    spec = json.loads((specs_dir / "square" / "api.json").read_text())
    return spec["components"]["schemas"][schema]["example"]


def test_the_spec_s_own_payout_entries_pass_the_sign_check_and_the_old_signs_fail(specs_dir):
    entries = _example(specs_dir, "ListPayoutEntriesResponse")["payout_entries"]
    by_type = {e["type"]: e for e in entries}
    # What the check encodes is Square's reading, not ours: charge 100 - fee 19 = 81.
    assert by_type["CHARGE"]["fee_amount_money"]["amount"] == 19
    total = sum(e["net_amount_money"]["amount"] for e in entries)
    payout = {"id": entries[0]["payout_id"], "amount_money": {"amount": total}}
    assert payout_problems(payout, entries) == []
    # The convention the simulator used before (fee negative, net = gross + fee) is refused.
    old = {**by_type["CHARGE"], "fee_amount_money": {"amount": -19, "currency_code": "USD"}}
    assert payout_problems({**payout, "amount_money": {"amount": 81}}, [old]) == [
        f"entry {old['id']}: net != gross - fee",
        f"entry {old['id']}: charge with a negative fee",
    ]


def test_simulated_payout_entries_follow_the_spec_s_signs(client):
    payouts = _pages(client, "/cafe/square/v2/payouts", "payouts")
    assert len(payouts) > 60
    fees, problems = 0, []
    for payout in payouts[-10:]:
        entries = _pages(
            client, f"/cafe/square/v2/payouts/{payout['id']}/payout-entries", "payout_entries"
        )
        problems += payout_problems(payout, entries)
        fees += sum(e["fee_amount_money"]["amount"] for e in entries if e["type"] == "CHARGE")
    assert problems == [] and fees > 0


def _bank_feed(client: httpx.Client, business: str) -> dict[str, dict]:
    headers = {"xero-tenant-id": BUSINESSES[business].xero_tenant_id}
    found: dict[str, dict] = {}
    page = 1
    while True:
        r = client.get(
            f"/{business}/xero/api.xro/2.0/BankTransactions", params={"page": page}, headers=headers
        )
        txns = json.loads(r.text, parse_float=Decimal)["BankTransactions"]
        if not txns:
            return found
        found |= {t["Reference"]: t for t in txns}
        page += 1


def _msdate(text: str) -> date:
    return datetime.fromtimestamp(int(text[6:-2].split("+")[0]) / 1000, UTC).date()


def test_a_payout_is_sent_then_paid_on_its_arrival_date_when_the_bank_sees_it(client):
    tz = ZoneInfo("America/New_York")
    payouts = _pages(client, "/cafe/square/v2/payouts", "payouts", location_id="LCAFE01")
    bank = _bank_feed(client, "cafe")
    today = NOW.astimezone(tz).date()
    statuses = {p["status"] for p in payouts}
    assert statuses == {"SENT", "PAID"}
    for p in payouts:
        created = datetime.fromisoformat(p["created_at"]).astimezone(tz)
        arrival = date.fromisoformat(p["arrival_date"])
        assert created.date() < arrival and arrival.weekday() < 5
        if p["status"] == "SENT":
            # Not arrived: the bank has not seen it.
            assert arrival >= today and p["id"] not in bank
            assert p["updated_at"] == p["created_at"]
        else:
            paid_at = datetime.fromisoformat(p["updated_at"]).astimezone(tz)
            assert paid_at.date() == arrival and paid_at > created
            deposit = bank[p["id"]]
            assert _msdate(deposit["Date"]) == arrival
            assert deposit["Total"] * 100 == abs(p["amount_money"]["amount"])
    # Thursday's payout went out at 10:00 yesterday and arrives today at 09:00: still SENT.
    sent = [p for p in payouts if p["status"] == "SENT"]
    assert [p["arrival_date"] for p in sent] == ["2026-11-20"]
    listed = _pages(client, "/cafe/square/v2/payouts", "payouts", status="SENT")
    assert {p["id"] for p in listed} == {p["id"] for p in sent}
