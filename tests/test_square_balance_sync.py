"""Entries of a square_balance business sent as bank transaction + journal, exactly once when
Xero throttles, fails or the process dies between a send and its log row; and an entry refused
as a journal sends its bank transaction neither. Over the in-process simulator, real connector."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from pipeline.store.reference_files import load_all, replace_reference_tables
from pipeline.store.schema import migrate
from pipeline.store.sync_log import sync_ledger
from resources.http import ApiError
from sandbox import Faults, Sandbox
from sandbox.xero_bank_api import account_movements
from tests.conftest import SANDBOX_NOW
from tests.test_xero_modes import MODES, _entry, _insert_entry, _reference, _xero

SALES = _entry(
    "LSTUDIO-2026-11-19-SALES",
    "studio",
    "Daily sales",
    ("1010", "1843.20", "0"),
    ("2140", "0", "143.20"),
    ("4020", "0", "1700.00"),
)
FEES = _entry(
    "LSTUDIO-2026-11-19-FEES",
    "studio",
    "Processing fees",
    ("6100", "49.40", "0"),
    ("1010", "0", "49.40"),
)
# A line on the checking account: refused as a journal, so its Square Balance half is not sent.
CASH = _entry(
    "LSTUDIO-2026-11-19-CASHBANK",
    "studio",
    "Cash banked",
    ("1090", "20.00", "0"),
    ("1010", "0", "20.00"),
)


@pytest.fixture
def con(tmp_path, monkeypatch) -> Iterator[duckdb.DuckDBPyConnection]:
    _reference(tmp_path, monkeypatch)
    connection = duckdb.connect()
    migrate(connection)
    replace_reference_tables(connection, load_all())
    for entry, kind in ((SALES, "SALES"), (FEES, "FEES"), (CASH, "ADJUSTMENT")):
        _insert_entry(connection, entry, kind, "LSTUDIO")
    yield connection
    connection.close()


def test_throttled_failed_and_crashed_sends_create_each_object_once(con, monkeypatch):
    sandbox = Sandbox(now=SANDBOX_NOW, faults=Faults.parse("429=3,5xx=4"), booking_modes=MODES)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    xero = _xero(sandbox, monkeypatch)

    def journal(business: str, key: str, body: str) -> str:
        with xero.client(business) as client:
            return xero.put_manual_journal(client, key, body)

    def bank(business: str, key: str, body: str) -> str:
        with xero.client(business) as client:
            return xero.put_bank_transaction(client, key, body)

    answered: dict[str, str] = {}

    class Crash(BaseException):
        """The process dying: not an error the sync could log."""

    def bank_then_die(business: str, key: str, body: str) -> str:
        answered[key] = bank(business, key, body)
        raise Crash

    def run(post_bank):
        return sync_ledger(
            con,
            ["studio"],
            journal,
            post_bank_transaction=post_bank,
            run_id="run-test",
            is_permanent=lambda exc: isinstance(exc, ApiError),
        )

    with pytest.raises(Crash):
        run(bank_then_die)
    # Oldest first, by entry id: the refused CASHBANK is not sent, FEES is sent, then the crash.
    assert list(answered) == ["LSTUDIO-2026-11-19-FEES:bank:1010"]
    # The sent FEES leg died before its log row; only the refusal was logged.
    assert con.execute("SELECT idempotency_key, status FROM ops.sync_log").fetchall() == [
        ("LSTUDIO-2026-11-19-CASHBANK:bank:1010", "failed")
    ]
    result = run(bank)  # the next run, throttled and failing now and then (retried inside)
    assert result.posted == [
        "LSTUDIO-2026-11-19-FEES:bank:1010",
        "LSTUDIO-2026-11-19-SALES:bank:1010",
        FEES.entry_id,
        SALES.entry_id,
    ]
    # The cash entry is refused whole: neither its journal nor its Square Balance half is sent.
    assert [key for key, _ in result.failed] == [
        "LSTUDIO-2026-11-19-CASHBANK:bank:1010",
        CASH.entry_id,
    ]
    assert all("bank account 1090" in error for _, error in result.failed)
    state = sandbox.xero_state("studio")
    assert sorted(r.body["Reference"] for r in state.bank_transactions) == sorted(
        [SALES.entry_id, FEES.entry_id]
    )
    assert len(state.journals) == 2
    logged = con.execute(
        "SELECT object_id FROM ops.sync_log WHERE idempotency_key = ?",
        ["LSTUDIO-2026-11-19-FEES:bank:1010"],
    ).fetchone()
    assert logged == (answered["LSTUDIO-2026-11-19-FEES:bank:1010"],)  # Xero's replayed answer
    # Faults were met (requests refused with 429/503 before reaching a handler) and the FEES
    # leg was replayed, not created twice.
    assert sandbox.request_count > len(sandbox.writes)
    assert [w["idempotency_key"] for w in sandbox.writes if w["replayed"]] == [
        "LSTUDIO-2026-11-19-FEES:bank:1010"
    ]
    moved = account_movements(sandbox, "studio")
    # Square Balance: +1,843.20 - 49.40; the suspense account is back to zero.
    assert (moved["1010"], moved.get("1015", 0), moved["6100"]) == (179380, 0, 4940)
    before = sandbox.request_count
    again = run(bank)
    # Only the refused entry is tried again (refused before any request), nothing is sent.
    assert again.posted == [] and sandbox.request_count == before
