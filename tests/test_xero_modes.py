"""Payouts as Xero allows them: no manual journal ever touches a bank account, and per business
`payout_deposits` an arrived payout is left to the bank feed, or becomes one Xero bank
transaction, or one bank transfer from Square Balance, each sent once (ops.sync_log).

Over the in-process simulator with the real connector; the payouts are the simulator's own
Square payouts (GET /v2/payouts), loaded into staging as the pipeline would."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import duckdb
import httpx
import pytest

from pipeline.accounting.xero_bank import PayoutDeposit, bank_transaction, bank_transfer, payload
from pipeline.accounting.xero_journal import (
    BankAccountLineError,
    LedgerEntry,
    LedgerLine,
    manual_journal,
)
from pipeline.settings import reference_dir
from pipeline.store.payout_sync import load_pending_deposits, sync_payout_deposits
from pipeline.store.reference_files import load_all, replace_reference_tables
from pipeline.store.schema import migrate
from pipeline.store.sync_log import sync_ledger
from resources.http import ApiError
from resources.xero import XeroResource
from sandbox import Faults, Sandbox
from sandbox.xero_bank_api import account_movements
from tests.conftest import SANDBOX_NOW

D = Decimal
MODES = {"cafe": "bank_feed", "boutique": "bank_transaction", "studio": "square_balance"}
IN_PROCESS = "http://sandbox.invalid/{business}/xero/api.xro/2.0"
LOCATIONS = {"cafe": ["LCAFE01"], "boutique": ["LBTQSEA", "LBTQPDX"], "studio": ["LSTUDIO"]}
# A net-negative payout (a chargeback bigger than the day's sales): Square debits the bank.
NEGATIVE = ("po_negative-chargeback-0001", "boutique", "LBTQPDX", "PAID", "2026-11-19", "-37.15")


def _reference(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(reference_dir(), folder)
    lines = (folder / "businesses.csv").read_text().splitlines()
    rows = [lines[0]] + [
        line.rsplit(",", 1)[0] + "," + MODES[line.split(",", 1)[0]] for line in lines[1:]
    ]
    (folder / "businesses.csv").write_text("\n".join(rows) + "\n")
    monkeypatch.setenv("BACKBONE_REFERENCE_DIR", str(folder))


def _square_payouts(sandbox: Sandbox) -> list[tuple]:
    """Every payout the simulator's Square reports, as (id, business, location, status,
    arrival_date, amount) the way staging.stg_square__payouts types them."""
    out = []
    auth = {"Authorization": "Bearer t"}
    with httpx.Client(transport=sandbox.transport(), base_url="http://sb", headers=auth) as c:
        for business, locations in LOCATIONS.items():
            for location in locations:
                answer = c.get(f"/{business}/square/v2/payouts", params={"location_id": location})
                for p in answer.json()["payouts"]:
                    cents = D(p["amount_money"]["amount"]) / 100
                    out.append(
                        (p["id"], business, location, p["status"], p.get("arrival_date"), cents)
                    )
    return out


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(now=SANDBOX_NOW, faults=Faults(), booking_modes=MODES)


@pytest.fixture
def con(tmp_path, monkeypatch, sandbox) -> Iterator[duckdb.DuckDBPyConnection]:
    _reference(tmp_path, monkeypatch)
    connection = duckdb.connect()
    migrate(connection)
    replace_reference_tables(connection, load_all())
    connection.execute(
        "CREATE TABLE staging.stg_square__payouts (payout_id VARCHAR, business_id VARCHAR, "
        "location_id VARCHAR, status VARCHAR, arrival_date DATE, amount_money DECIMAL(18,2))"
    )
    rows = [*_square_payouts(sandbox), NEGATIVE]
    # Extracted twice (a later run saw it again): still one deposit.
    rows.append(rows[0])
    connection.executemany(
        "INSERT INTO staging.stg_square__payouts VALUES (?, ?, ?, ?, ?, ?)", rows
    )
    yield connection
    connection.close()


def _xero(sandbox: Sandbox, monkeypatch) -> XeroResource:
    monkeypatch.setattr("resources.connector.in_process_transport", sandbox.transport)
    monkeypatch.delenv("XERO_TENANT_ID", raising=False)
    return XeroResource(base_url=IN_PROCESS, access_token="secret-token-123")


def _posters(xero: XeroResource) -> dict:
    def call(method):
        def post(business: str, key: str, body: str) -> str:
            with xero.client(business) as client:
                return method(client, key, body)

        return post

    return {
        "BankTransactions": call(xero.put_bank_transaction),
        "BankTransfers": call(xero.put_bank_transfer),
    }


def _sync_payouts(con, xero, posters=None):
    return sync_payout_deposits(
        con,
        ["boutique", "cafe", "studio"],
        posters or _posters(xero),
        run_id="run-test",
        is_permanent=lambda exc: isinstance(exc, ApiError),
    )


def _paid(con, business: str) -> dict[str, Decimal]:
    return dict(
        con.execute(
            "SELECT DISTINCT payout_id, amount_money FROM staging.stg_square__payouts "
            "WHERE business_id = ? AND status = 'PAID' AND amount_money <> 0",
            [business],
        ).fetchall()
    )


# -- the guard ------------------------------------------------------------------------------------

PAYOUT = LedgerEntry(
    "LBTQSEA-2026-11-19-PAYOUT",
    "boutique",
    date(2026, 11, 19),
    "Payouts to the bank LBTQSEA 2026-11-19",
    (
        LedgerLine("1090", D("1958.47"), D("0"), "Payout po_bfb66327"),
        LedgerLine("1010", D("0"), D("1958.47"), "Payout po_bfb66327"),
    ),
)


def test_the_guard_refuses_a_manual_journal_with_a_line_on_a_bank_account():
    with pytest.raises(BankAccountLineError, match="bank account 1090"):
        manual_journal(PAYOUT, frozenset({"1090"}))
    # The same balanced entry is a valid journal where 1090 is not a bank account: it is the
    # account's type, not the entry's shape, that refuses it.
    assert len(manual_journal(PAYOUT, frozenset({"1095"}))["JournalLines"]) == 2


def _insert_entry(con, entry: LedgerEntry, kind: str, location: str) -> None:
    total = sum(line.debit for line in entry.lines)
    con.execute(
        "INSERT INTO marts.journal_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, now())",
        [
            entry.entry_id,
            entry.business_id,
            location,
            entry.business_date,
            kind,
            entry.memo,
            total,
            entry.business_date,
        ],
    )
    for n, line in enumerate(entry.lines, start=1):
        con.execute(
            "INSERT INTO marts.journal_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                entry.entry_id,
                n,
                line.account_code,
                line.debit,
                line.credit,
                line.memo,
                entry.business_date,
                location,
            ],
        )


def _entry(entry_id: str, business: str, memo: str, *lines: tuple[str, str, str]) -> LedgerEntry:
    day = date(2026, 11, 19)
    return LedgerEntry(
        entry_id, business, day, memo, tuple(LedgerLine(c, D(d), D(k), memo) for c, d, k in lines)
    )


def test_backbone_never_sends_a_manual_journal_touching_a_bank_account(con, sandbox, monkeypatch):
    sales = _entry(
        "LBTQSEA-2026-11-19-SALES",
        "boutique",
        "Daily sales",
        ("1010", "1843.20", "0"),
        ("2120", "0", "143.20"),
        ("4010", "0", "1700.00"),
    )
    deposit = _entry(
        "LBTQSEA-2026-11-19-DEPOSIT",
        "boutique",
        "Payout arrived",
        ("1090", "1958.47", "0"),
        ("1080", "0", "1958.47"),
    )
    cash = _entry(
        "LCAFE01-2026-11-19-CASHBANK",
        "cafe",
        "Cash banked",
        ("1090", "432.51", "0"),
        ("1000", "0", "432.51"),
    )
    studio = _entry(
        "LSTUDIO-2026-11-19-SALES",
        "studio",
        "Daily sales",
        ("1010", "250.00", "0"),
        ("4020", "0", "250.00"),
    )
    _insert_entry(con, sales, "SALES", "LBTQSEA")
    _insert_entry(con, PAYOUT, "PAYOUT", "LBTQSEA")
    _insert_entry(con, deposit, "DEPOSIT", "LBTQSEA")
    _insert_entry(con, cash, "ADJUSTMENT", "LCAFE01")
    _insert_entry(con, studio, "SALES", "LSTUDIO")
    xero = _xero(sandbox, monkeypatch)

    def post(business: str, key: str, body: str) -> str:
        with xero.client(business) as client:
            return xero.put_manual_journal(client, key, body)

    def post_bank(business: str, key: str, body: str) -> str:
        with xero.client(business) as client:
            return xero.put_bank_transaction(client, key, body)

    def run():
        return sync_ledger(
            con,
            ["boutique", "cafe", "studio"],
            post,
            post_bank_transaction=post_bank,
            run_id="run-test",
        )

    result = run()
    # The sales entries reached Xero; the connector was never called for the others. Studio's
    # (square_balance) went as a bank transaction on Square Balance first, then its journal.
    studio_leg = "LSTUDIO-2026-11-19-SALES:bank:1010"
    assert result.posted == [studio_leg, "LBTQSEA-2026-11-19-SALES", studio.entry_id]
    assert [w["idempotency_key"] for w in sandbox.writes] == result.posted
    log = dict(
        con.execute(
            "SELECT idempotency_key, status || ': ' || coalesce(error, '') FROM ops.sync_log"
        ).fetchall()
    )
    # The refusals are visible, with why; the payout kinds are not manual journals at all.
    assert set(log) == {sales.entry_id, cash.entry_id, studio.entry_id, studio_leg}
    assert log[cash.entry_id].startswith("failed: BankAccountLineError")
    assert "bank account 1090" in log[cash.entry_id]
    # Under square_balance the clearing account is a bank account in Xero: its line moved to
    # the suspense account in the journal, and the bank transaction receives the 250.00.
    (journal,) = sandbox.xero_state("studio").journals
    assert [(x["AccountCode"], x["LineAmount"].cents) for x in journal.body["JournalLines"]] == [
        ("1015", 25000),
        ("4020", -25000),
    ]
    (txn,) = sandbox.xero_state("studio").bank_transactions
    assert (txn.body["Type"], txn.body["BankAccount"]["Code"], txn.body["Total"].cents) == (
        "RECEIVE",
        "1010",
        25000,
    )
    moved = account_movements(sandbox, "studio")
    assert (moved["1010"], moved["1015"], moved["4020"]) == (25000, 0, -25000)
    assert all(
        line["AccountCode"] not in ("1090",)
        for journal in sandbox.xero_state("boutique").journals
        for line in journal.body["JournalLines"]
    )
    before = sandbox.request_count
    again = run()
    assert again.posted == [] and sandbox.request_count == before  # no request on a re-run


# -- payouts as bank transactions and transfers ---------------------------------------------------


def test_payloads_match_xero_schema(xero_schema):
    deposit = PayoutDeposit(
        "po_bfb66327",
        "boutique",
        "bank_transaction",
        date(2026, 11, 19),
        D("1958.47"),
        "1090",
        "1010",
    )
    body = json.loads(payload(deposit))
    xero_schema("BankTransactions", body)
    assert body["BankTransactions"][0]["LineItems"][0]["UnitAmount"] == 1958.47
    transfer = PayoutDeposit(
        "po_x", "studio", "square_balance", date(2026, 11, 19), D("-37.15"), "1090", "1010"
    )
    xero_schema("BankTransfers", json.loads(payload(transfer)))
    # A negative net is unsigned money the other way, never a negative amount.
    assert bank_transaction(transfer)["Type"] == "SPEND"
    assert bank_transaction(transfer)["LineItems"][0]["UnitAmount"] == D("37.15")
    moved = bank_transfer(transfer)
    assert (moved["FromBankAccount"], moved["ToBankAccount"], moved["Amount"]) == (
        {"Code": "1090"},
        {"Code": "1010"},
        D("37.15"),
    )


def test_each_arrived_payout_is_booked_once_per_mode_and_the_bank_moves_by_it_once(
    con, sandbox, monkeypatch
):
    xero = _xero(sandbox, monkeypatch)
    result = _sync_payouts(con, xero)
    assert result.failed == []
    boutique, studio = _paid(con, "boutique"), _paid(con, "studio")
    assert len(boutique) >= 8 and len(studio) >= 4
    # bank_transaction: one RECEIVE/SPEND per arrived payout, coded to clearing.
    created = [r.body for r in sandbox.xero_state("boutique").bank_transactions]
    assert sorted(b["Reference"] for b in created) == sorted(boutique)
    for body in created:
        sign = 1 if body["Type"] == "RECEIVE" else -1
        assert D(body["Total"].cents) / 100 * sign == boutique[body["Reference"]]
        assert [line["AccountCode"] for line in body["LineItems"]] == ["1010"]
    # square_balance: one transfer per payout; bank_feed: nothing sent for the cafe.
    transfers = [r.body for r in sandbox.xero_state("studio").transfers]
    assert sorted(t["Reference"] for t in transfers) == sorted(studio)
    assert sandbox.xero_state("cafe").bank_transactions == []
    # The books: in each mode the bank moves by exactly the arrived payouts, once.
    assert D(account_movements(sandbox, "boutique")["1090"]) / 100 == sum(boutique.values())
    studio_bank = account_movements(sandbox, "studio")["1090"]
    invoice_payments = account_movements(sandbox, "studio").get("1200", 0)
    assert D(studio_bank + invoice_payments) / 100 == sum(studio.values())
    # ops.sync_log: one posted row per payout, naming the object Xero created.
    log = con.execute(
        "SELECT target, idempotency_key, object_id FROM ops.sync_log WHERE status = 'posted'"
    ).fetchall()
    ids = {r.body["BankTransactionID"] for r in sandbox.xero_state("boutique").bank_transactions}
    ids |= {r.body["BankTransferID"] for r in sandbox.xero_state("studio").transfers}
    assert len(log) == len(boutique) + len(studio) and {o for *_, o in log} == ids
    assert {t for t, *_ in log} == {"xero:BankTransactions:boutique", "xero:BankTransfers:studio"}
    before = sandbox.request_count
    assert _sync_payouts(con, xero).sent == 0 and sandbox.request_count == before
    assert load_pending_deposits(con, ["boutique", "cafe", "studio"]) == []


def test_throttling_and_a_crash_between_send_and_log_create_nothing_twice(con, monkeypatch):
    sandbox = Sandbox(now=SANDBOX_NOW, faults=Faults.parse("429=3"), booking_modes=MODES)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    xero = _xero(sandbox, monkeypatch)
    posters = _posters(xero)
    answered: dict[str, str] = {}

    class Crash(BaseException):
        """The process dying: not an error the sync could log."""

    def send_then_die(business: str, key: str, body: str) -> str:
        answered[key] = posters["BankTransactions"](business, key, body)
        raise Crash

    with pytest.raises(Crash):
        _sync_payouts(con, xero, {**posters, "BankTransactions": send_then_die})
    (crashed,) = answered
    assert con.execute("SELECT count(*) FROM ops.sync_log").fetchone() == (0,)
    result = _sync_payouts(con, xero)  # the next run, throttled every third request
    assert result.failed == [] and crashed in result.posted
    created = sandbox.xero_state("boutique").bank_transactions
    references = [r.body["Reference"] for r in created]
    assert sorted(references) == sorted(set(references)) == sorted(_paid(con, "boutique"))
    logged = con.execute(
        "SELECT object_id FROM ops.sync_log WHERE idempotency_key = ?", [crashed]
    ).fetchone()
    assert logged == (answered[crashed],)  # the replayed answer: the same BankTransactionID
    assert any(w["replayed"] for w in sandbox.writes)
