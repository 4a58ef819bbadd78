"""Ledger write-back to Xero ManualJournals over the in-process sandbox: payload shape against
Xero's schema, exactly-once posting, retries, throttling and a crash between send and log."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from pipeline.accounting.xero_journal import (
    FAILED,
    POSTED,
    LedgerEntry,
    LedgerLine,
    LedgerPayloadError,
    dumps,
    manual_journal,
    mask_error,
    payload,
)
from pipeline.store.schema import migrate
from pipeline.store.sync_log import load_pending, sync_ledger
from resources.http import ApiError
from resources.xero import XeroResource
from sandbox import Faults, Sandbox
from tests.conftest import SANDBOX_NOW

D = Decimal
# A real cafe day from the demo (2026-11-19), a boutique day, and a late refund adjusting the
# boutique sale two days later: (entry_id, business, location, date, kind, memo, adjusts, lines).
ENTRIES = [
    (
        "LCAFE01-2026-11-19-SALES",
        "cafe",
        "LCAFE01",
        "2026-11-19",
        "SALES",
        "Daily sales LCAFE01 2026-11-19",
        None,
        [
            ("1000", "432.51", "0", "Tendered: cash"),
            ("1010", "2005.75", "0", "Tendered: card"),
            ("1010", "299.80", "0", "Tendered: wallet"),
            ("2110", "0", "212.62", "Sales tax collected"),
            ("2200", "0", "120.80", "Tips owed to staff"),
            ("2300", "0", "25.00", "Gross sales"),
            ("2300", "209.72", "0", "Tendered: gift_card"),
            ("4000", "0", "2400.35", "Gross sales"),
            ("4010", "0", "198.00", "Gross sales"),
            ("4900", "8.99", "0", "Discounts given"),
        ],
    ),
    (
        "LCAFE01-2026-11-19-RETURNS",
        "cafe",
        "LCAFE01",
        "2026-11-19",
        "RETURNS",
        "Returns and refunds LCAFE01 2026-11-19",
        None,
        [
            ("1010", "0", "21.40", "Refunded: card"),
            ("1010", "0", "3.43", "Refunded: wallet"),
            ("2110", "2.03", "0", "Sales tax refunded"),
            ("4910", "22.80", "0", "Returns (net of discount)"),
        ],
    ),
    (
        "LCAFE01-2026-11-19-FEES",
        "cafe",
        "LCAFE01",
        "2026-11-19",
        "FEES",
        "Card processing fees LCAFE01 2026-11-19",
        None,
        [
            ("1010", "0", "79.75", "Processor fees withheld"),
            ("6100", "79.75", "0", "Processor fees"),
        ],
    ),
    (
        "LBTQSEA-2026-11-18-SALES",
        "boutique",
        "LBTQSEA",
        "2026-11-18",
        "SALES",
        "Daily sales LBTQSEA 2026-11-18",
        None,
        [
            ("1010", "1843.20", "0", "Tendered: card"),
            ("2120", "0", "143.20", "Sales tax collected"),
            ("4010", "0", "1700.00", "Gross sales"),
        ],
    ),
    (
        "LBTQSEA-2026-11-20-ADJ-1",
        "boutique",
        "LBTQSEA",
        "2026-11-20",
        "ADJUSTMENT",
        "Late refund for LBTQSEA 2026-11-18",
        "LBTQSEA-2026-11-18-SALES",
        [
            ("1010", "0", "0.01", "Refunded: card"),
            ("4910", "0.01", "0", "Returns (net of discount)"),
        ],
    ),
]
IN_PROCESS = "http://sandbox.invalid/{business}/xero/api.xro/2.0"


def _insert(con: duckdb.DuckDBPyConnection, entries) -> None:
    for entry_id, business, location, day, kind, memo, adjusts, lines in entries:
        total = sum(D(debit) for _, debit, _, _ in lines)
        con.execute(
            "INSERT INTO marts.journal_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
            [entry_id, business, location, day, kind, memo, total, day, adjusts],
        )
        for n, (code, debit, credit, line_memo) in enumerate(lines, start=1):
            con.execute(
                "INSERT INTO marts.journal_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [entry_id, n, code, D(debit), D(credit), line_memo, day, location],
            )


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    migrate(connection)  # the journal tables come from the migrations
    _insert(connection, ENTRIES)
    yield connection
    connection.close()


def _xero(sandbox: Sandbox, monkeypatch, **config) -> XeroResource:
    """The real connector (tenant header, retries), its in-process host bound to `sandbox`."""
    monkeypatch.setattr("resources.connector.in_process_transport", sandbox.transport)
    monkeypatch.delenv("XERO_TENANT_ID", raising=False)
    return XeroResource(base_url=IN_PROCESS, access_token="secret-token-123", **config)


def _sync(con, xero: XeroResource, post=None, businesses=("boutique", "cafe")):
    def send(business: str, key: str, body: str) -> str:
        with xero.client(business) as client:
            return xero.put_manual_journal(client, key, body)

    return sync_ledger(
        con,
        list(businesses),
        post or send,
        run_id="run-test",
        is_permanent=lambda exc: isinstance(exc, ApiError),
    )


def _log(con) -> list[tuple]:
    return con.execute(
        "SELECT target, idempotency_key, object_id, status, error FROM ops.sync_log ORDER BY 2"
    ).fetchall()


def _journals(sandbox: Sandbox) -> dict[str, list[dict]]:
    return {b: [r.body for r in sandbox.xero_state(b).journals] for b in ("cafe", "boutique")}


def _narrations(business: str) -> list[str]:
    """What the organisation should hold, in posting order (date, then entry id)."""
    rows = sorted((e[3], e[0], e[5]) for e in ENTRIES if e[1] == business)
    return [f"{memo} [{entry_id}]" for _, entry_id, memo in rows]


# -- payloads -------------------------------------------------------------------------------------


def _entry(entry_id: str) -> LedgerEntry:
    row = next(e for e in ENTRIES if e[0] == entry_id)
    lines = tuple(LedgerLine(code, D(dr), D(cr), memo) for code, dr, cr, memo in row[7])
    return LedgerEntry(row[0], row[1], date.fromisoformat(row[3]), row[5], lines)


def test_payload_is_exact_signed_and_balanced():
    text = payload(_entry("LCAFE01-2026-11-19-SALES"))
    journal = json.loads(text, parse_float=D)["ManualJournals"][0]
    assert journal["Narration"] == "Daily sales LCAFE01 2026-11-19 [LCAFE01-2026-11-19-SALES]"
    assert journal["Date"] == "2026-11-19" and journal["Status"] == "POSTED"
    amounts = [line["LineAmount"] for line in journal["JournalLines"]]
    # Debits positive, credits negative, written as numbers with exactly two places.
    assert amounts == [
        D("432.51"),
        D("2005.75"),
        D("299.80"),
        D("-212.62"),
        D("-120.80"),
        D("-25.00"),
        D("209.72"),
        D("-2400.35"),
        D("-198.00"),
        D("8.99"),
    ]
    assert sum(amounts) == 0
    assert '"LineAmount":299.80,' in text and '"LineAmount":-25.00,' in text
    assert len(re.findall(r'"LineAmount":-?\d+\.\d\d[,}]', text)) == len(amounts)
    assert journal["JournalLines"][3] == {
        "LineAmount": D("-212.62"),
        "AccountCode": "2110",
        "Description": "Sales tax collected",
    }
    one_cent = payload(_entry("LBTQSEA-2026-11-20-ADJ-1"))
    assert '"LineAmount":-0.01,' in one_cent and '"LineAmount":0.01,' in one_cent


def test_payload_refuses_what_xero_would_book_wrong():
    good = _entry("LCAFE01-2026-11-19-FEES")
    fee, clearing = good.lines[1], good.lines[0]
    unbalanced = LedgerEntry(
        "E1", "cafe", good.business_date, "m", (clearing, LedgerLine("6100", D("79.74"), D(0)))
    )
    with pytest.raises(LedgerPayloadError, match=r"does not balance: lines sum to -0\.01"):
        manual_journal(unbalanced)
    float_fee = LedgerLine(fee.account_code, 79.75, fee.credit)  # type: ignore[arg-type]
    floaty = LedgerEntry("E2", "cafe", good.business_date, "m", (clearing, float_fee))
    with pytest.raises(LedgerPayloadError, match="money must be Decimal, not float"):
        manual_journal(floaty)
    thin = LedgerEntry(
        "E3", "cafe", good.business_date, "m", (clearing, LedgerLine("6100", D("79.755"), D(0)))
    )
    with pytest.raises(LedgerPayloadError, match=r"79\.755 has more than two decimal places"):
        manual_journal(thin)
    single = LedgerEntry("E4", "cafe", good.business_date, "m", (LedgerLine("1", D(0), D(0)),))
    with pytest.raises(LedgerPayloadError, match="at least two lines"):
        manual_journal(single)
    assert dumps({"a": [D("-0.10"), D("1234567890123456.78")]}) == (
        '{"a":[-0.10,1234567890123456.78]}'
    )


def test_payloads_and_answers_match_xero_schema(con, xero_schema, monkeypatch):
    # As any JSON client reads the wire text ('double' numbers); exactness is asserted above.
    for row in ENTRIES:
        xero_schema("ManualJournals", json.loads(payload(_entry(row[0]))))
    sandbox = Sandbox(now=SANDBOX_NOW, faults=Faults())
    xero = _xero(sandbox, monkeypatch)
    assert len(_sync(con, xero).posted) == len(ENTRIES)
    with xero.client("cafe") as client:
        listed = client.json("GET", "/ManualJournals")
    xero_schema("ManualJournals", listed)
    assert [j["Narration"] for j in listed["ManualJournals"]] == _narrations("cafe")


# -- exactly once -----------------------------------------------------------------------------


def test_each_entry_posts_once_and_a_rerun_sends_nothing(con, monkeypatch):
    sandbox = Sandbox(now=SANDBOX_NOW, faults=Faults())
    xero = _xero(sandbox, monkeypatch)

    first = _sync(con, xero)
    assert sorted(first.posted) == sorted(e[0] for e in ENTRIES) and not first.failed
    assert sandbox.request_count == len(ENTRIES)
    log = _log(con)
    assert [(t, k, s, e) for t, k, _, s, e in log] == sorted(
        [(f"xero:ManualJournals:{e[1]}", e[0], POSTED, None) for e in ENTRIES],
        key=lambda r: r[1],
    )
    # Each object_id is the ManualJournalID the organisation of that business holds.
    journals = _journals(sandbox)
    held = {j["ManualJournalID"]: j for js in journals.values() for j in js}
    assert {object_id for _, _, object_id, _, _ in log} == set(held)
    assert [j["Narration"] for j in journals["cafe"]] == _narrations("cafe")
    # Originals before their adjustments: the boutique sale, then the late refund.
    assert [j["Narration"].split("[")[1] for j in journals["boutique"]] == [
        "LBTQSEA-2026-11-18-SALES]",
        "LBTQSEA-2026-11-20-ADJ-1]",
    ]
    sales = next(j for j in journals["cafe"] if "SALES" in j["Narration"])
    assert [(line["AccountCode"], line["LineAmount"].cents) for line in sales["JournalLines"]] == [
        (code, int((D(debit) - D(credit)) * 100)) for code, debit, credit, _ in ENTRIES[0][7]
    ]
    assert sales["Date"] == "/Date(1795046400000+0000)/"  # 2026-11-19

    second = _sync(con, xero)
    assert second.sent == 0
    assert sandbox.request_count == len(ENTRIES)  # not one HTTP call
    assert _log(con) == log
    assert sum(len(js) for js in _journals(sandbox).values()) == len(ENTRIES)
    assert load_pending(con, ["boutique", "cafe"]) == []

    # A new (adjusting) entry later: only it is sent.
    _insert(
        con,
        [
            (
                "LCAFE01-2026-11-21-ADJ-1",
                "cafe",
                "LCAFE01",
                "2026-11-21",
                "ADJUSTMENT",
                "Offline orders for LCAFE01 2026-11-19",
                "LCAFE01-2026-11-19-SALES",
                [("1010", "12.50", "0", "Tendered: card"), ("4000", "0", "12.50", "Gross sales")],
            )
        ],
    )
    third = _sync(con, xero)
    assert third.posted == ["LCAFE01-2026-11-21-ADJ-1"]
    assert sandbox.request_count == len(ENTRIES) + 1
    assert len(_log(con)) == len(ENTRIES) + 1


def test_scope_limits_which_businesses_are_written(con, monkeypatch):
    sandbox = Sandbox(now=SANDBOX_NOW, faults=Faults())
    result = _sync(con, _xero(sandbox, monkeypatch), businesses=["boutique"])
    assert sorted(result.posted) == ["LBTQSEA-2026-11-18-SALES", "LBTQSEA-2026-11-20-ADJ-1"]
    assert _journals(sandbox)["cafe"] == []


def test_a_refused_entry_is_logged_masked_and_retried_next_run(con, monkeypatch):
    # An account Xero's chart does not have: the organisation refuses that journal only.
    _insert(
        con,
        [
            (
                "LCAFE01-2026-11-19-BAD",
                "cafe",
                "LCAFE01",
                "2026-11-19",
                "SALES",
                "Refund for ann.lee@example.com",
                None,
                [("1010", "5.00", "0", "x"), ("9999", "0", "5.00", "ann.lee@example.com")],
            )
        ],
    )
    sandbox = Sandbox(now=SANDBOX_NOW, faults=Faults())
    xero = _xero(sandbox, monkeypatch)
    first = _sync(con, xero)
    assert len(first.posted) == len(ENTRIES) and [e for e, _ in first.failed] == [
        "LCAFE01-2026-11-19-BAD"
    ]
    row = next(r for r in _log(con) if r[1] == "LCAFE01-2026-11-19-BAD")
    assert row[2] is None and row[3] == FAILED
    assert "400" in row[4] and "Account code '9999' is not a valid code" in row[4]
    assert "ann.lee@example.com" not in row[4] and "secret-token-123" not in row[4]

    requests = sandbox.request_count
    second = _sync(con, xero)
    # Only the failed entry is tried again (same Idempotency-Key), and still refused.
    assert second.posted == [] and [e for e, _ in second.failed] == ["LCAFE01-2026-11-19-BAD"]
    assert sandbox.request_count == requests + 1
    assert sandbox.writes[-1]["idempotency_key"] == "LCAFE01-2026-11-19-BAD"


def test_an_outage_stops_the_run_and_the_next_run_posts_the_rest(con, monkeypatch):
    down = Sandbox(now=SANDBOX_NOW, faults=Faults.parse("5xx=1"))
    first = _sync(con, _xero(down, monkeypatch, max_attempts=2, retry_wait_initial=0.0))
    assert first.posted == [] and len(first.failed) == 1 and "503" in (first.stopped or "")
    assert down.request_count == 2  # one entry, two attempts, then the run gave up
    assert [(k, s) for _, k, _, s, _ in _log(con)] == [("LBTQSEA-2026-11-18-SALES", FAILED)]

    up = Sandbox(now=SANDBOX_NOW, faults=Faults())
    second = _sync(con, _xero(up, monkeypatch))
    assert len(second.posted) == len(ENTRIES) and not second.failed
    assert {(s, e) for _, _, _, s, e in _log(con)} == {(POSTED, None)}


def test_throttling_still_posts_every_entry_exactly_once(con, monkeypatch):
    sandbox = Sandbox(now=SANDBOX_NOW, faults=Faults.parse("429=3:0"))
    result = _sync(con, _xero(sandbox, monkeypatch, retry_wait_initial=0.0))
    assert len(result.posted) == len(ENTRIES) and not result.failed
    assert sandbox.request_count > len(ENTRIES)  # some calls were answered 429 and retried
    journals = [j for js in _journals(sandbox).values() for j in js]
    assert len(journals) == len(ENTRIES)
    assert len({j["Narration"] for j in journals}) == len(ENTRIES)
    assert [w["replayed"] for w in sandbox.writes] == [False] * len(ENTRIES)


def test_a_crash_between_send_and_log_is_replayed_not_duplicated(con, monkeypatch):
    sandbox = Sandbox(now=SANDBOX_NOW, faults=Faults())
    xero = _xero(sandbox, monkeypatch)
    answered: dict[str, str] = {}

    class Crash(BaseException):
        """The process dying: not an error the sync could log."""

    def send_then_die(business: str, key: str, body: str) -> str:
        with xero.client(business) as client:
            answered[key] = xero.put_manual_journal(client, key, body)
        raise Crash

    with pytest.raises(Crash):
        _sync(con, xero, post=send_then_die)
    (crashed,) = answered
    assert _log(con) == []  # Xero has the journal, the warehouse never heard back

    result = _sync(con, xero)
    assert len(result.posted) == len(ENTRIES)
    log = {k: object_id for _, k, object_id, _, _ in _log(con)}
    assert log[crashed] == answered[crashed]  # the stored answer, same ManualJournalID
    replays = [w for w in sandbox.writes if w["idempotency_key"] == crashed]
    assert [w["replayed"] for w in replays] == [False, True]
    journals = [j for js in _journals(sandbox).values() for j in js]
    assert len(journals) == len(ENTRIES)  # no duplicate journal in the organisation


def test_errors_never_carry_tokens_or_contact_details():
    exc = RuntimeError(
        "PUT failed: Authorization: Bearer eyJhbGciOi.abc-123 access_token=s3cr3t "
        "for ann.lee@example.com +1 (212) 555-0147"
    )
    masked = mask_error(exc)
    for secret in ("eyJhbGciOi", "s3cr3t", "ann.lee@example.com", "555-0147"):
        assert secret not in masked
    assert masked.startswith("RuntimeError: PUT failed")
