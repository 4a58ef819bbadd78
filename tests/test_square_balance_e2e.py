"""Studio on payout_deposits square_balance, over the simulator after real daily runs: every
journal entry reaches Xero without a manual-journal line on a bank account, Square Balance moves
in Xero exactly as the warehouse's clearing account does (apart from the payouts, which are the
transfers), the suspense account nets to zero, and a re-run sends nothing."""

from __future__ import annotations

import duckdb
import pytest

from assets.ledger_sync import LEDGER_SYNC, PAYOUT_SYNC
from pipeline.accounting.xero_journal import BANK_SIDE_KINDS
from sandbox import Sandbox
from sandbox.ledger import bank_codes
from sandbox.xero_bank_api import account_movements
from tests.conftest import SANDBOX_NOW, daily_twice_in_modes

pytestmark = pytest.mark.e2e
MODES = {"studio": "square_balance"}
BALANCE, SUSPENSE = "1010", "1015"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    home = tmp_path_factory.mktemp("square_balance")
    env = {"BACKBONE_SANDBOX_XERO_BOOKING": "studio=square_balance"}
    # The simulator's booking comes from the env, as a deployment's would.
    sandbox, requests = daily_twice_in_modes(home, lambda: Sandbox(now=SANDBOX_NOW), MODES, env)
    yield home, sandbox, requests


def _warehouse(home, sql: str, params: list) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _created(sandbox) -> list[dict]:
    """Bank transactions Backbone created (a transfer's two legs are listed beside them)."""
    state = sandbox.xero_state("studio")
    return [r.body for r in state.bank_transactions if r.body["Type"] in ("RECEIVE", "SPEND")]


def test_no_manual_journal_touches_a_bank_account(runs):
    _, sandbox, _ = runs
    assert sandbox.xero_booking("studio") == "square_balance"
    journals = sandbox.xero_state("studio").journals
    assert journals
    banks = bank_codes("square_balance")
    assert BALANCE in banks
    on_bank = [
        line for j in journals for line in j.body["JournalLines"] if line["AccountCode"] in banks
    ]
    assert on_bank == []
    assert any(line["AccountCode"] == SUSPENSE for j in journals for line in j.body["JournalLines"])


def test_square_balance_moves_as_the_clearing_account_less_the_transfers(runs):
    home, sandbox, _ = runs
    ((entries_cents,),) = _warehouse(
        home,
        "SELECT CAST(sum(l.debit - l.credit) * 100 AS BIGINT) FROM marts.journal_lines AS l "
        "JOIN marts.journal_entries AS e USING (entry_id) "
        "WHERE e.business_id = 'studio' AND l.account_code = ? "
        "AND e.kind NOT IN (SELECT unnest(?))",
        [BALANCE, list(BANK_SIDE_KINDS)],
    )
    transfers = sandbox.xero_state("studio").transfers
    assert transfers  # the studio's arrived payouts left Square Balance as transfers
    out = sum(
        t.body["Amount"].cents * (1 if t.body["FromBankAccount"]["Code"] == BALANCE else -1)
        for t in transfers
    )
    moved = account_movements(sandbox, "studio")
    assert entries_cents != 0
    assert moved[BALANCE] == entries_cents - out
    # Both directions occurred: money in (sales) and money out (fees, refunds).
    kinds = {b["Type"] for b in _created(sandbox) if b["BankAccount"]["Code"] == BALANCE}
    assert kinds == {"RECEIVE", "SPEND"}


def test_the_suspense_account_nets_to_zero_and_each_leg_is_logged_once(runs):
    home, sandbox, _ = runs
    assert account_movements(sandbox, "studio").get(SUSPENSE, 0) == 0
    logged = _warehouse(
        home,
        "SELECT idempotency_key, object_id, status FROM ops.sync_log "
        "WHERE target = 'xero:BankTransactions:studio'",
        [],
    )
    created = {b["BankTransactionID"]: b["Reference"] for b in _created(sandbox)}
    assert logged and all(status == "posted" for *_, status in logged)
    assert {object_id for _, object_id, _ in logged} == set(created)
    assert sorted(f"{ref}:bank:{BALANCE}" for ref in created.values()) == sorted(
        key for key, *_ in logged
    )


def test_a_second_run_sends_nothing(runs):
    _, sandbox, requests = runs
    first, second = requests
    assert first[LEDGER_SYNC] > 0 and first[PAYOUT_SYNC] > 0
    assert second == {LEDGER_SYNC: 0, PAYOUT_SYNC: 0}
    writes = [w for w in sandbox.writes if w["status"] == 200 and not w["replayed"]]
    keys = [w["idempotency_key"] for w in writes]
    assert len(keys) == len(set(keys))
