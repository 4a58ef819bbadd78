"""After real pipeline runs over the simulator, Xero's bank account moves by each arrived payout
exactly once, whether the bank feed books it (cafe, bank_feed) or Backbone's bank transaction
does (boutique, bank_transaction); no manual journal touches it; a re-run sends nothing."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from assets.ledger_sync import LEDGER_SYNC, PAYOUT_SYNC
from sandbox import Sandbox
from sandbox.ledger import bank_transactions
from sandbox.world import BUSINESSES
from sandbox.xero_bank_api import account_movements
from tests.conftest import SANDBOX_NOW, daily_twice_in_modes

pytestmark = pytest.mark.e2e
MODES = {"cafe": "bank_feed", "boutique": "bank_transaction"}
BANK = "1090"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    home = tmp_path_factory.mktemp("payout_modes")
    sandbox, requests = daily_twice_in_modes(
        home, lambda: Sandbox(now=SANDBOX_NOW, booking_modes=MODES), MODES, {}
    )
    yield home, sandbox, requests


def _arrived(home, business: str) -> dict[str, Decimal]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return dict(
            con.execute(
                "SELECT DISTINCT payout_id, amount_money FROM staging.stg_square__payouts "
                "WHERE business_id = ? AND status = 'PAID'",
                [business],
            ).fetchall()
        )


def _bank_moves_by_reference(sandbox: Sandbox, business: str) -> dict[str, list[int]]:
    """Every movement of the bank account in the simulator's Xero, by the reference it carries:
    bank transactions (the feed's and created ones) and manual-journal lines."""
    moves: dict[str, list[int]] = {}
    state = sandbox.xero_state(business)
    feed = bank_transactions(
        sandbox.world, BUSINESSES[business], sandbox.now_ms, None, MODES[business]
    )
    for record in feed + state.bank_transactions:
        body = record.body
        if body["BankAccount"]["Code"] == BANK:
            sign = 1 if body["Type"] == "RECEIVE" else -1
            moves.setdefault(body["Reference"], []).append(sign * body["Total"].cents)
    for journal in state.journals:
        for line in journal.body["JournalLines"]:
            if line["AccountCode"] == BANK:
                moves.setdefault(journal.body["Narration"], []).append(line["LineAmount"].cents)
    return moves


@pytest.mark.parametrize("business", sorted(MODES))
def test_the_bank_moves_by_each_arrived_payout_exactly_once(runs, business):
    home, sandbox, _ = runs
    arrived = _arrived(home, business)
    assert arrived
    moves = _bank_moves_by_reference(sandbox, business)
    for payout_id, amount in arrived.items():
        assert moves.get(payout_id) == [int(amount * 100)], payout_id
    # Manual journals reached Xero, and not one of their lines is on the bank account.
    journals = sandbox.xero_state(business).journals
    assert journals
    assert [
        line for j in journals for line in j.body["JournalLines"] if line["AccountCode"] == BANK
    ] == []
    created = sandbox.xero_state(business).bank_transactions
    if MODES[business] == "bank_feed":
        assert created == []
    else:
        assert sorted(r.body["Reference"] for r in created) == sorted(arrived)
    # The trial balance agrees: clearing gives up exactly what the bank receives per payout.
    assert account_movements(sandbox, business)[BANK] == sum(m[0] for m in moves.values())


def test_a_second_run_sends_nothing(runs):
    _, sandbox, requests = runs
    first, second = requests
    assert first[PAYOUT_SYNC] > 0 and first[LEDGER_SYNC] > 0
    assert second == {LEDGER_SYNC: 0, PAYOUT_SYNC: 0}
    writes = [w for w in sandbox.writes if w["status"] == 200 and not w["replayed"]]
    keys = [w["idempotency_key"] for w in writes]
    assert len(keys) == len(set(keys))  # every object was created once
