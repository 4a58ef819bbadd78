"""The Beancount export on a small hand-written warehouse: names, amounts, balance assertions
computed by hand, determinism, and `bean-check` accepting it and rejecting corruptions."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import duckdb
import pytest
from beancount import loader
from beancount.core import account as bc_account
from beancount.core import data as bc_data
from hypothesis import given
from hypothesis import strategies as st

from pipeline.accounting.beancount import (
    Account,
    Ledger,
    LedgerExportError,
    Posting,
    Transaction,
    account_name,
    amount_text,
    component,
    render,
)
from pipeline.store.ledger_export import read_ledger, write_checked
from tests.conftest import bean_check

BUSINESSES = [
    ("cafe", "Juniper Cafe", "USD"),
    ("boutique", "Fern & Thread", "USD"),
    ("studio", "Studio Nine", "USD"),
]
ACCOUNTS = [
    ("1000", "Cash on Hand", "ASSET"),
    ("1010", "Square Clearing", "ASSET"),
    ("1090", "Business Checking", "ASSET"),
    ("2110", "Sales Tax Payable - New York City", "LIABILITY"),
    ("4000", "Food & Beverage Sales", "REVENUE"),
    ("4010", "Retail Merchandise Sales", "REVENUE"),
    ("4910", "Sales Returns & Refunds", "REVENUE"),
    ("6100", "Merchant Processing Fees", "EXPENSE"),
]
TENDERS = [("cash", "1000", "false"), ("card", "1010", "true")]
D17, D18, D19, D20 = (date(2026, 11, d) for d in (17, 18, 19, 20))
# entry_id, business, location, date, memo, adjusts, lines (account, debit, credit, memo)
ENTRIES = [
    (
        "LCAFE01-2026-11-17-SALES",
        "cafe",
        "LCAFE01",
        D17,
        "Daily sales LCAFE01 2026-11-17",
        None,
        [
            ("1010", "100.00", "0.00", "Tendered: card"),
            ("1000", "20.00", "0.00", "Tendered: cash"),
            ("4000", "0.00", "110.00", "Gross sales"),
            ("2110", "0.00", "10.00", "Sales tax US-NY-NYC"),
        ],
    ),
    (
        "LCAFE01-2026-11-17-FEES",
        "cafe",
        "LCAFE01",
        D17,
        "Card processing fees LCAFE01 2026-11-17",
        None,
        [("6100", "2.90", "0.00", "Processor fees"), ("1010", "0.00", "2.90", None)],
    ),
    (
        "LCAFE01-2026-11-18-SALES",
        "cafe",
        "LCAFE01",
        D18,
        "Daily sales LCAFE01 2026-11-18",
        None,
        [
            ("1010", "54.45", "0.00", "Tendered: card"),
            ("4000", "0.00", "50.00", "Gross sales"),
            ("2110", "0.00", "4.45", "Sales tax US-NY-NYC"),
        ],
    ),
    (
        "LCAFE01-2026-11-18-RETURNS",
        "cafe",
        "LCAFE01",
        D18,
        'Returns and refunds LCAFE01 2026-11-18: "wrong size" \\ damaged',
        None,
        [("4910", "10.00", "0.00", "Returns"), ("1010", "0.00", "10.00", "Refunded: card")],
    ),
    (
        # The 17th's card money (100.00 - 2.90) paid out by po_c2, as the journal posts it.
        "LCAFE01-2026-11-18-PAYOUT",
        "cafe",
        "LCAFE01",
        D18,
        "Payouts to the bank LCAFE01 2026-11-18",
        None,
        [("1090", "97.10", "0.00", "Payout po_c2"), ("1010", "0.00", "97.10", "Payout po_c2")],
    ),
    (
        # A late offline card sale of the 17th, posted on the 19th as an adjusting entry.
        "LCAFE01-2026-11-17-SALES-ADJ-2026-11-19",
        "cafe",
        "LCAFE01",
        D19,
        "Adjusts LCAFE01-2026-11-17-SALES: late offline order",
        "LCAFE01-2026-11-17-SALES",
        [("1010", "5.25", "0.00", "Tendered: card"), ("4000", "0.00", "5.25", "Gross sales")],
    ),
    (
        "LBTQSEA-2026-11-18-SALES",
        "boutique",
        "LBTQSEA",
        D18,
        "Daily sales LBTQSEA 2026-11-18",
        None,
        [("1010", "30.00", "0.00", "Tendered: card"), ("4010", "0.00", "30.00", "Gross sales")],
    ),
]
PAYOUTS = [
    ("po_c0", "cafe", "LCAFE01", date(2026, 11, 16)),  # before the journal starts: not asserted
    ("po_c1", "cafe", "LCAFE01", D17),
    ("po_c2", "cafe", "LCAFE01", D18),
    ("po_c4", "cafe", "LCAFE01", D19),
    ("po_c5", "cafe", "LCAFE01", D20),  # after the last posted day: not asserted
    ("po_b2", "boutique", "LBTQPDX", D18),
    ("po_b1", "boutique", "LBTQSEA", D18),
    ("po_s1", "studio", "LSTUDIO", D18),  # studio has no journal: not asserted
]
# Worked by hand from ENTRIES: clearing (1010) debits minus credits through the payout's day,
# asserted at the start of the next day.
EXPECTED_ASSERTIONS = [
    # 17th: 100.00 - 2.90
    '2026-11-18 balance Assets:Cafe:1010-Square-Clearing  97.10 USD\n  payout_ids: "po_c1"',
    # + 18th: 54.45 - 10.00 - the payout 97.10: the 18th's card money, not paid out yet
    '2026-11-19 balance Assets:Cafe:1010-Square-Clearing  44.45 USD\n  payout_ids: "po_c2"',
    # + the adjusting entry dated the 19th: 5.25
    '2026-11-20 balance Assets:Cafe:1010-Square-Clearing  49.70 USD\n  payout_ids: "po_c4"',
    # Two locations' payouts on one day: one assertion on the business's clearing account.
    "2026-11-19 balance Assets:Boutique:1010-Square-Clearing  30.00 USD\n"
    '  payout_ids: "po_b1 po_b2"',
]


def build_warehouse(path, reverse: bool = False) -> None:
    """The journal's contract tables plus what the export reads; `reverse` inserts every table
    in the opposite order, which must not change a byte of the export."""

    def rows(items):
        return list(reversed(items)) if reverse else list(items)

    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            CREATE SCHEMA ref; CREATE SCHEMA marts; CREATE SCHEMA staging;
            CREATE TABLE ref.businesses (business_id VARCHAR, name VARCHAR, currency VARCHAR,
                xero_tenant_id VARCHAR);
            CREATE TABLE ref.accounts (account_code VARCHAR, name VARCHAR, type VARCHAR,
                class VARCHAR);
            CREATE TABLE ref.tenders (canonical_tender VARCHAR, clearing_account VARCHAR,
                settles_in_payout VARCHAR);
            CREATE TABLE marts.journal_entries (entry_id VARCHAR PRIMARY KEY,
                business_id VARCHAR, location_id VARCHAR, business_date DATE, kind VARCHAR,
                memo VARCHAR, total DECIMAL(18, 2), activity_date DATE,
                adjusts_entry_id VARCHAR, posted_at TIMESTAMPTZ);
            CREATE TABLE marts.journal_lines (entry_id VARCHAR, line_no INTEGER,
                account_code VARCHAR, debit DECIMAL(18, 2), credit DECIMAL(18, 2), memo VARCHAR,
                business_date DATE, location_id VARCHAR);
            CREATE TABLE staging.stg_square__payouts (payout_id VARCHAR, business_id VARCHAR,
                location_id VARCHAR, business_date DATE, amount_money DECIMAL(18, 2));
            """
        )
        con.executemany("INSERT INTO ref.businesses VALUES (?, ?, ?, 'tenant')", rows(BUSINESSES))
        con.executemany("INSERT INTO ref.accounts VALUES (?, ?, 'X', ?)", rows(ACCOUNTS))
        con.executemany("INSERT INTO ref.tenders VALUES (?, ?, ?)", rows(TENDERS))
        for entry_id, business, location, day, memo, adjusts, lines in rows(ENTRIES):
            total = sum(Decimal(debit) for _, debit, _, _ in lines)
            con.execute(
                "INSERT INTO marts.journal_entries VALUES (?, ?, ?, ?, 'k', ?, ?, ?, ?, now())",
                [entry_id, business, location, day, memo, total, day, adjusts],
            )
            numbered = [(n, *line) for n, line in enumerate(lines, 1)]
            con.executemany(
                "INSERT INTO marts.journal_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(entry_id, n, a, d, c, m, day, location) for n, a, d, c, m in rows(numbered)],
            )
        con.executemany(
            "INSERT INTO staging.stg_square__payouts VALUES (?, ?, ?, ?, 0)", rows(PAYOUTS)
        )


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Ledger:
    path = tmp_path_factory.mktemp("ledger") / "warehouse.duckdb"
    build_warehouse(path)
    with duckdb.connect(str(path), read_only=True) as con:
        return read_ledger(con)


def test_export_passes_bean_check_with_hand_computed_assertions(ledger, tmp_path):
    target = tmp_path / "exports" / "ledger.beancount"
    write_checked(render(ledger), target)
    result = bean_check(target)
    assert result.returncode == 0, result.stdout + result.stderr

    text = target.read_text()
    assert text.startswith(
        'option "title" "Backbone ledger: Fern & Thread, Juniper Cafe"\n'
        'option "operating_currency" "USD"\n'
    )
    for expected in EXPECTED_ASSERTIONS:
        assert expected in text
    assert text.count(" balance ") == len(EXPECTED_ASSERTIONS)
    assert "Cash-on-Hand  " not in text.split(" balance ")[-1]  # cash never settles in a payout
    assert "2026-11-17 open Assets:Cafe:1010-Square-Clearing USD" in text
    assert "2026-11-18 open Assets:Boutique:1010-Square-Clearing USD" in text
    assert "2026-11-17 open Income:Cafe:4000-Food-Beverage-Sales USD" in text
    assert "2026-11-17 open Liabilities:Cafe:2110-Sales-Tax-Payable-New-York-City USD" in text
    assert (
        '2026-11-19 txn "Adjusts LCAFE01-2026-11-17-SALES: late offline order"\n'
        '  entry_id: "LCAFE01-2026-11-17-SALES-ADJ-2026-11-19"\n'
        '  location_id: "LCAFE01"\n'
        '  adjusts_entry_id: "LCAFE01-2026-11-17-SALES"\n'
        "  Assets:Cafe:1010-Square-Clearing  5.25 USD\n"
        '    memo: "Tendered: card"\n'
        "  Income:Cafe:4000-Food-Beverage-Sales  -5.25 USD\n"
    ) in text

    entries, errors, _ = loader.load_file(str(target))
    assert errors == []
    txns = [e for e in entries if isinstance(e, bc_data.Transaction)]
    assert sorted(t.meta["entry_id"] for t in txns) == sorted(e[0] for e in ENTRIES)
    returns = next(t for t in txns if t.meta["entry_id"] == "LCAFE01-2026-11-18-RETURNS")
    assert returns.narration == ENTRIES[3][4]  # quotes and backslash survive
    sale = next(t for t in txns if t.meta["entry_id"] == "LCAFE01-2026-11-17-SALES")
    assert [(p.account.split(":")[-1], p.units.number) for p in sale.postings] == [
        ("1010-Square-Clearing", Decimal("100.00")),
        ("1000-Cash-on-Hand", Decimal("20.00")),
        ("4000-Food-Beverage-Sales", Decimal("-110.00")),
        ("2110-Sales-Tax-Payable-New-York-City", Decimal("-10.00")),
    ]


def test_same_warehouse_gives_the_same_bytes_whatever_the_row_order(ledger, tmp_path):
    build_warehouse(tmp_path / "reversed.duckdb", reverse=True)
    with duckdb.connect(str(tmp_path / "reversed.duckdb"), read_only=True) as con:
        again = render(read_ledger(con))
    assert again == render(ledger)
    first, second = tmp_path / "a.beancount", tmp_path / "b.beancount"
    write_checked(again, first)
    write_checked(render(ledger), second)
    assert first.read_bytes() == second.read_bytes()


def _replace_entry(ledger: Ledger, entry_id: str, **changes) -> Ledger:
    transactions = tuple(
        dataclasses.replace(t, **changes) if t.entry_id == entry_id else t
        for t in ledger.transactions
    )
    return dataclasses.replace(ledger, transactions=transactions)


def test_bean_check_fails_on_an_unbalanced_entry(ledger, tmp_path):
    fees = next(t for t in ledger.transactions if t.entry_id.endswith("17-FEES"))
    off_by_a_cent = (
        fees.postings[0],
        dataclasses.replace(fees.postings[1], amount=Decimal("-2.91")),
    )
    corrupted = tmp_path / "corrupted.beancount"
    corrupted.write_text(render(_replace_entry(ledger, fees.entry_id, postings=off_by_a_cent)))
    result = bean_check(corrupted)
    assert result.returncode != 0
    assert "does not balance" in result.stdout + result.stderr


def test_balance_assertions_catch_a_corruption_that_still_balances(ledger, tmp_path):
    # Both sides of the refund grow by a dollar: every transaction still balances, but the
    # clearing account no longer holds what the journal lines say it does.
    refund = next(t for t in ledger.transactions if t.entry_id.endswith("18-RETURNS"))
    inflated = tuple(
        dataclasses.replace(p, amount=p.amount + (1 if p.amount > 0 else -1))
        for p in refund.postings
    )
    corrupted = tmp_path / "corrupted.beancount"
    corrupted.write_text(render(_replace_entry(ledger, refund.entry_id, postings=inflated)))
    result = bean_check(corrupted)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Balance failed for 'Assets:Cafe:1010-Square-Clearing'" in output
    assert "does not balance" not in output


def test_a_rejected_export_leaves_the_previous_ledger_in_place(ledger, tmp_path):
    target = tmp_path / "exports" / "ledger.beancount"
    write_checked(render(ledger), target)
    good = target.read_bytes()
    broken = render(ledger).replace("  -2.90 USD", "  -2.91 USD")
    with pytest.raises(LedgerExportError, match="does not balance"):
        write_checked(broken, target)
    assert target.read_bytes() == good
    assert [p.name for p in target.parent.iterdir()] == ["ledger.beancount"]


@pytest.mark.parametrize(
    ("business", "code", "name", "cls", "expected"),
    [
        (
            "cafe",
            "4000",
            "Food & Beverage Sales",
            "REVENUE",
            "Income:Cafe:4000-Food-Beverage-Sales",
        ),
        ("cafe", "1010", "Square Clearing", "ASSET", "Assets:Cafe:1010-Square-Clearing"),
        (
            "boutique",
            "2110",
            "Sales Tax Payable - New York City",
            "LIABILITY",
            "Liabilities:Boutique:2110-Sales-Tax-Payable-New-York-City",
        ),
        ("studio", "3000", "Owner's Equity", "EQUITY", "Equity:Studio:3000-Owner-s-Equity"),
        ("cafe", "6900", "Rounding (±1¢)", "EXPENSE", "Expenses:Cafe:6900-Rounding-1"),
        ("cafe", "4100", "Café crème", "REVENUE", "Income:Cafe:4100-Cafe-creme"),
        ("fern_thread", "1000", "Cash", "ASSET", "Assets:Fern-thread:1000-Cash"),
    ],
)
def test_account_names(business, code, name, cls, expected):
    got = account_name(business, Account(code, name, cls))
    assert got == expected
    assert bc_account.is_valid(got)


def test_account_names_refuse_what_cannot_be_named():
    with pytest.raises(LedgerExportError, match="class 'ASSETS'"):
        account_name("cafe", Account("1000", "Cash", "ASSETS"))
    with pytest.raises(LedgerExportError, match="no letters or digits"):
        component("&&")


@given(business=st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True), name=st.text(max_size=40))
def test_every_account_name_is_valid_beancount(business, name):
    for cls in ("ASSET", "LIABILITY", "EQUITY", "REVENUE", "EXPENSE"):
        assert bc_account.is_valid(account_name(business, Account("1234", name, cls)))


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("0.1"), "0.10"),
        (Decimal("-1533.00"), "-1533.00"),
        (Decimal("0.00"), "0.00"),
        (Decimal("9999999999999999.99"), "9999999999999999.99"),
        (Decimal("1E+3"), "1000.00"),
    ],
)
def test_amounts_are_exact_to_the_cent(amount, text):
    assert amount_text(amount) == text


def test_amounts_with_fractions_of_a_cent_are_refused():
    with pytest.raises(LedgerExportError, match="fractions of a cent"):
        amount_text(Decimal("1.005"))


def _one_entry_ledger(**overrides) -> Ledger:
    base = {
        "title": "t",
        "currencies": {"cafe": "USD"},
        "accounts": {"1010": Account("1010", "Square Clearing", "ASSET")},
        "transactions": (
            Transaction(
                "e1",
                "cafe",
                "L1",
                D17,
                "m",
                (Posting("1010", Decimal("1.00")), Posting("4000", Decimal("-1.00"))),
            ),
        ),
    }
    return Ledger(**(base | overrides))


def test_render_refuses_accounts_and_businesses_it_does_not_know():
    with pytest.raises(LedgerExportError, match=r"'4000' .* not in ref.accounts"):
        render(_one_entry_ledger())
    accounts = {
        "1010": Account("1010", "Square Clearing", "ASSET"),
        "4000": Account("4000", "Sales", "REVENUE"),
    }
    with pytest.raises(LedgerExportError, match="business 'cafe' unknown"):
        render(_one_entry_ledger(accounts=accounts, currencies={"studio": "USD"}))
    with pytest.raises(LedgerExportError, match="same Beancount name"):
        render(_one_entry_ledger(accounts=accounts, currencies={"cafe": "USD", "Cafe": "USD"}))


def test_reader_refuses_lines_without_an_entry(tmp_path):
    path = tmp_path / "w.duckdb"
    build_warehouse(path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "INSERT INTO marts.journal_lines VALUES "
            "('ghost', 1, '1010', 1.00, 0, NULL, DATE '2026-11-17', 'LCAFE01')"
        )
        with pytest.raises(LedgerExportError, match="without an entry: ghost"):
            read_ledger(con)
