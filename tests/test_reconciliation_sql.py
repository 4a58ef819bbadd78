"""marts.reconciliation and marts.clearing_balances on hand-made payouts, entries and deposits."""

from datetime import date
from decimal import Decimal
from functools import cache

import duckdb
import pytest

from pipeline.store.connection import insert_many as _insert_many
from pipeline.store.contracts import validate_table
from pipeline.store.reference_files import load_all
from pipeline.store.schema import migrate
from pipeline.store.sql_models import build, discover

MODELS = {m.table: m for m in discover()}
D = Decimal


def insert_many(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    marks = ", ".join("?" * len(rows[0]))
    _insert_many(con, f"INSERT INTO {table} VALUES ({marks})", rows)


def _day(n: int) -> date:
    return date(2026, 11, n)


@cache
def _reference() -> dict:
    return load_all()


def _warehouse(settings: list[tuple[str | None, str, str]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    migrate(con)
    for name, frame in _reference().items():
        con.register("_ref", frame.replace({"": None}))
        con.execute(f"CREATE TABLE ref.{name} AS SELECT * FROM _ref")
        con.unregister("_ref")
    con.execute("DELETE FROM ref.reconciliation_settings")
    con.execute("ALTER TABLE ref.reconciliation_settings ALTER business_id TYPE VARCHAR")
    insert_many(con, "ref.reconciliation_settings", settings)
    con.execute(
        """CREATE TABLE staging.stg_square__payouts (
            payout_id VARCHAR, business_id VARCHAR, location_id VARCHAR, business_date DATE,
            status VARCHAR, arrival_date DATE, amount_money DECIMAL(18, 2),
            created_at TIMESTAMPTZ, updated_at TIMESTAMPTZ)"""
    )
    con.execute(
        """CREATE TABLE staging.stg_square__payout_entries (
            payout_entry_id VARCHAR, payout_id VARCHAR, business_id VARCHAR, business_date DATE,
            entry_type VARCHAR, payment_id VARCHAR, refund_id VARCHAR, dispute_id VARCHAR,
            effective_at TIMESTAMPTZ, gross_money DECIMAL(18, 2), fee_money DECIMAL(18, 2),
            net_money DECIMAL(18, 2))"""
    )
    con.execute(
        """CREATE TABLE staging.stg_xero__bank_transactions (
            bank_transaction_id VARCHAR, business_id VARCHAR, business_date DATE, type VARCHAR,
            status VARCHAR, reference VARCHAR, bank_account_code VARCHAR,
            total DECIMAL(18, 2), line_account_codes VARCHAR[])"""
    )
    return con


def payout(con, business, location, payout_id, day, entries, status="PAID", arrival=None):
    """entries: (type, fact id, gross, fee) with Square's signs (a charge's fee positive, net =
    gross - fee); the payout's amount is the sum of entry nets. Created (sent) on `day`, due to
    arrive on `arrival` (the same day unless told)."""
    rows = []
    for i, (kind, fact, gross, fee) in enumerate(entries):
        gross, fee = D(gross), D(fee)
        rows.append(
            (
                f"poe_{payout_id}_{i}",
                payout_id,
                business,
                _day(day),
                kind,
                fact if kind == "CHARGE" else None,
                fact if kind == "REFUND" else None,
                fact if kind == "DISPUTE" else None,
                None,
                gross,
                fee,
                gross - fee,
            )
        )
    insert_many(con, "staging.stg_square__payout_entries", rows)
    amount = sum((r[-1] for r in rows), D("0.00"))
    insert_many(
        con,
        "staging.stg_square__payouts",
        [
            (
                payout_id,
                business,
                location,
                _day(day),
                status,
                _day(arrival or day),
                amount,
                f"{_day(day)} 15:00:00+00",
                f"{_day(arrival or day)} 15:00:00+00",
            )
        ],
    )


def deposit(
    con, business, deposit_id, day, total, reference, kind="RECEIVE", account="1010", bank="1090"
):
    """A bank line of the feed, its other side coded to `account` (the feed codes payouts to
    Square clearing)."""
    insert_many(
        con,
        "staging.stg_xero__bank_transactions",
        [
            (
                deposit_id,
                business,
                _day(day),
                kind,
                "AUTHORISED",
                reference,
                bank,
                D(total),
                [account] if account else [],
            )
        ],
    )


def rebuild(con, table):
    build(con, MODELS[table], validate=validate_table)


def rows(con, where="TRUE"):
    cursor = con.execute(f"SELECT * FROM marts.reconciliation WHERE {where} ORDER BY payout_id")
    names = [d[0] for d in cursor.description]
    return {
        r[names.index("payout_id")]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()
    }


@pytest.fixture
def cafe():
    """One cafe location, exact amounts, a three-day window; data loaded up to 2026-11-10."""
    con = _warehouse([(None, "0.00", "3")])
    # Two sales (fees withheld), a refund and a chargeback hold: 160.00 - 4.65 - 20.00 - 30.00.
    payout(
        con,
        "cafe",
        "L1",
        "po_net",
        2,
        [
            ("CHARGE", "pay_1", "110.00", "3.20"),
            ("CHARGE", "pay_2", "50.00", "1.45"),
            ("REFUND", "ref_1", "-20.00", "0.00"),
            ("DISPUTE", "dsp_1", "-30.00", "0.00"),
        ],
    )
    deposit(con, "cafe", "bt_net", 2, "105.35", "po_net")
    # The bank batched Monday's and Tuesday's payouts into one deposit with its own reference.
    payout(con, "cafe", "L1", "po_mon", 3, [("CHARGE", "pay_3", "41.30", "1.30")])
    payout(con, "cafe", "L1", "po_tue", 4, [("CHARGE", "pay_4", "61.80", "1.80")])
    deposit(con, "cafe", "bt_batch", 4, "100.00", "SQUARE INC 8855")
    # No reference, but the only deposit of its amount, a day later.
    payout(con, "cafe", "L1", "po_amount", 5, [("CHARGE", "pay_5", "80.17", "2.40")])
    deposit(con, "cafe", "bt_amount", 6, "77.77", "SQ DEPOSIT")
    # Named by reference, but 50 cents short.
    payout(con, "cafe", "L1", "po_short", 6, [("CHARGE", "pay_6", "200.00", "0.00")])
    deposit(con, "cafe", "bt_short", 6, "199.50", "po_short")
    # Nothing arrived: one payout 9 days old; one with a deposit of its amount outside the window.
    payout(con, "cafe", "L1", "po_lost", 1, [("CHARGE", "pay_7", "12.00", "0.40")])
    payout(con, "cafe", "L1", "po_late", 2, [("CHARGE", "pay_8", "33.33", "0.00")])
    deposit(con, "cafe", "bt_late", 9, "33.33", "SQ DEPOSIT")
    payout(con, "cafe", "L1", "po_new", 9, [("CHARGE", "pay_9", "15.00", "0.00")])
    payout(con, "cafe", "L1", "po_old", 1, [("CHARGE", "pay_10", "9.00", "0.00")])
    con.execute(
        "UPDATE staging.stg_square__payouts SET arrival_date = DATE '2026-10-05', "
        "business_date = DATE '2026-10-05' WHERE payout_id = 'po_old'"
    )
    # A cash deposit dated the 10th: the latest loaded day, which ages everything.
    deposit(con, "cafe", "bt_cash", 10, "540.00", "Cash deposit 2026-11-09")
    rebuild(con, "marts.reconciliation")
    return con


def test_expected_amount_is_the_payout_net_of_fees_refunds_and_disputes(cafe):
    row = rows(cafe)["po_net"]
    assert (row["gross_charges"], row["refunds"], row["fees"], row["disputes"]) == (
        D("160.00"),
        D("20.00"),
        D("4.65"),
        D("-30.00"),
    )
    # 160.00 - 20.00 - 4.65 - 30.00 = 105.35, deposited to the cent.
    assert row["net_amount"] == row["expected_amount"] == D("105.35")
    assert (row["deposit_id"], row["deposited_amount"], row["match_rule"]) == (
        "bt_net",
        D("105.35"),
        "reference",
    )
    assert (row["status"], row["difference"], row["age_days"], row["aging_bucket"]) == (
        "matched",
        D("0.00"),
        None,
        None,
    )


def test_a_deposit_batching_two_days_matches_both_payouts(cafe):
    got = rows(cafe, "deposit_id = 'bt_batch'")
    assert set(got) == {"po_mon", "po_tue"}
    for row in got.values():
        assert row["match_rule"] == "amount_date_batch"
        assert row["payouts_in_deposit"] == 2
        assert (row["group_expected"], row["group_deposited"]) == (D("100.00"), D("100.00"))
        assert row["status"] == "matched"
    assert got["po_mon"]["expected_amount"] + got["po_tue"]["expected_amount"] == D("100.00")


def test_one_to_one_by_amount_within_the_date_window(cafe):
    row = rows(cafe)["po_amount"]
    assert (row["deposit_id"], row["match_rule"], row["status"]) == (
        "bt_amount",
        "amount_date",
        "matched",
    )


def test_a_short_deposit_is_partial_and_aged(cafe):
    row = rows(cafe)["po_short"]
    assert (row["deposit_id"], row["status"], row["difference"]) == (
        "bt_short",
        "partial",
        D("-0.50"),
    )
    assert (row["as_of_date"], row["age_days"], row["aging_bucket"]) == (_day(10), 4, "3-7")


def test_unmatched_payouts_age_from_the_latest_loaded_day(cafe):
    got = rows(cafe, "status = 'unmatched'")
    assert {pid: (r["age_days"], r["aging_bucket"]) for pid, r in got.items()} == {
        "po_new": (1, "0-2"),
        "po_lost": (9, "8-30"),
        # A deposit of its amount came 7 days later: outside the 3-day window, so not it.
        "po_late": (8, "8-30"),
        "po_old": (36, "30+"),
    }
    assert all(r["deposit_id"] is None and r["deposited_amount"] is None for r in got.values())
    # The cash deposit explains no payout and is never matched by amount to one.
    assert rows(cafe, "deposit_id IN ('bt_cash', 'bt_late')") == {}


def test_a_wider_window_finds_the_late_deposit_and_rebuilds_are_identical(cafe):
    before = cafe.execute("SELECT * FROM marts.reconciliation ORDER BY ALL").fetchall()
    rebuild(cafe, "marts.reconciliation")
    assert cafe.execute("SELECT * FROM marts.reconciliation ORDER BY ALL").fetchall() == before
    cafe.execute("UPDATE ref.reconciliation_settings SET date_window_days = '7'")
    rebuild(cafe, "marts.reconciliation")
    assert rows(cafe)["po_late"]["deposit_id"] == "bt_late"


def test_amount_tolerance_comes_from_the_business_row():
    con = _warehouse([(None, "0.00", "2"), ("boutique", "1.00", "2")])
    for business in ("cafe", "boutique"):
        payout(con, business, "L1", f"po_{business}_ref", 3, [("CHARGE", "p1", "300.00", "9.00")])
        deposit(con, business, f"bt_{business}_ref", 3, "290.50", f"po_{business}_ref")
        payout(con, business, "L1", f"po_{business}_amt", 4, [("CHARGE", "p2", "70.00", "0.00")])
        deposit(con, business, f"bt_{business}_amt", 5, "69.25", "SQUARE")
    rebuild(con, "marts.reconciliation")
    got = {pid: (r["status"], r["deposit_id"]) for pid, r in rows(con).items()}
    assert got == {
        # Off by 0.50 and 0.75: inside the boutique's 1.00, outside the default exact match.
        "po_boutique_ref": ("matched", "bt_boutique_ref"),
        "po_boutique_amt": ("matched", "bt_boutique_amt"),
        "po_cafe_ref": ("partial", "bt_cafe_ref"),
        "po_cafe_amt": ("unmatched", None),
    }


def test_a_payout_split_over_two_deposits_and_a_negative_payout():
    con = _warehouse([(None, "0.00", "3")])
    payout(con, "cafe", "L1", "po_split", 3, [("CHARGE", "p1", "500.00", "0.00")])
    deposit(con, "cafe", "bt_a", 3, "300.00", "po_split 1/2")
    deposit(con, "cafe", "bt_b", 4, "200.00", "po_split 2/2")
    # Refunds beyond the day's sales: Square debits the bank, which Xero records as a SPEND.
    payout(con, "cafe", "L1", "po_debit", 4, [("REFUND", "r1", "-45.00", "0.00")])
    deposit(con, "cafe", "bt_debit", 4, "45.00", "po_debit", kind="SPEND")
    rebuild(con, "marts.reconciliation")
    split = con.execute(
        "SELECT deposit_id, deposited_amount, deposits_for_payout, group_deposited, status "
        "FROM marts.reconciliation WHERE payout_id = 'po_split' ORDER BY deposit_id"
    ).fetchall()
    assert split == [
        ("bt_a", D("300.00"), 2, D("500.00"), "matched"),
        ("bt_b", D("200.00"), 2, D("500.00"), "matched"),
    ]
    debit = rows(con)["po_debit"]
    assert (debit["expected_amount"], debit["deposited_amount"], debit["status"]) == (
        D("-45.00"),
        D("-45.00"),
        "matched",
    )
    # Only half of the split arrived: the payout is partial, short by the missing deposit.
    con.execute(
        "DELETE FROM staging.stg_xero__bank_transactions WHERE bank_transaction_id = 'bt_b'"
    )
    rebuild(con, "marts.reconciliation")
    row = rows(con)["po_split"]
    assert (row["status"], row["difference"], row["aging_bucket"]) == (
        "partial",
        D("-200.00"),
        "0-2",
    )


# -- clearing balances ---------------------------------------------------------------------------


@pytest.fixture
def clearing():
    con = _warehouse([(None, "0.00", "3")])
    build(con, MODELS["core.tenders"])
    con.execute(
        """CREATE TABLE core.tender_facts (
            fact_id VARCHAR, fact_kind VARCHAR, business_id VARCHAR, location_id VARCHAR,
            business_date DATE, canonical_tender VARCHAR, clearing_account VARCHAR,
            amount_money DECIMAL(18, 2), tip_money DECIMAL(18, 2), fee_money DECIMAL(18, 2))"""
    )
    insert_many(
        con,
        "core.tender_facts",
        [
            # A Visa sale of 100.00 with a 10.00 tip (fee 3.20), a 20.00 cash sale, a 15.00
            # Visa refund and a 30.00 chargeback, all on the 2nd.
            ("pay_v", "payment", "cafe", "L1", _day(2), "card_visa", "1010", D("100.00"),
             D("10.00"), D("3.20")),
            ("pay_c", "payment", "cafe", "L1", _day(2), "cash", "1000", D("20.00"), D("0.00"),
             D("0.00")),
            ("ref_v", "refund", "cafe", "L1", _day(2), "card_visa", "1010", D("-15.00"),
             D("0.00"), D("0.00")),
            ("dsp_v", "dispute", "cafe", "L1", _day(2), "card_visa", "1010", D("-30.00"),
             D("0.00"), D("0.00")),
        ],
    )  # fmt: skip
    # The 3rd's payout settles the 2nd net of the fee, the refund and the chargeback hold, plus a
    # sale from before the loaded data; the chargeback is won and released on the 5th.
    payout(
        con,
        "cafe",
        "L1",
        "po_3",
        3,
        [
            ("CHARGE", "pay_v", "110.00", "3.20"),
            ("REFUND", "ref_v", "-15.00", "0.00"),
            ("DISPUTE", "dsp_v", "-30.00", "0.00"),
            ("CHARGE", "pay_before", "50.00", "1.50"),
        ],
    )
    payout(con, "cafe", "L1", "po_5", 5, [("DISPUTE", "dsp_v", "30.00", "0.00")])
    rebuild(con, "marts.clearing_balances")
    return con


def _balances(con, tender):
    return con.execute(
        "SELECT business_date, opening, inflow, refunds, disputes, outflow, fees, settled, closing "
        "FROM marts.clearing_balances WHERE canonical_tender IS NOT DISTINCT FROM ? "
        "ORDER BY business_date",
        [tender],
    ).fetchall()


def test_card_clearing_nets_to_zero_once_its_payout_settles(clearing):
    z = D("0.00")
    assert _balances(clearing, "card_visa") == [
        # 110.00 in (tip included), 15.00 refunded, 3.20 fees withheld.
        (_day(2), z, D("110.00"), D("15.00"), z, D("15.00"), D("3.20"), z, D("91.80")),
        # The payout sent on the 3rd withholds the chargeback (as the journal's CHARGEBACK entry
        # does, that day) and takes the rest: 106.80 - 15.00 - 30.00.
        (_day(3), D("91.80"), z, z, D("30.00"), D("30.00"), z, D("61.80"), z),
        (_day(4), z, z, z, z, z, z, z, z),
        # The won chargeback comes back into clearing and leaves in the same payout.
        (_day(5), z, z, z, D("-30.00"), D("-30.00"), z, D("30.00"), z),
    ]
    assert clearing.execute(
        "SELECT sum(amount_money) FROM staging.stg_square__payouts WHERE payout_id = 'po_3'"
    ).fetchone() == (D("110.30"),)


def test_cash_stays_in_its_drawer_and_older_sales_settle_without_a_tender(clearing):
    assert [row[-1] for row in _balances(clearing, "cash")] == [D("20.00")] * 4
    assert clearing.execute(
        "SELECT DISTINCT clearing_account FROM marts.clearing_balances "
        "WHERE canonical_tender = 'cash'"
    ).fetchall() == [("1000",)]
    # The 50.00 sale from before the loaded data settles on the payouts' clearing account.
    unattributed = clearing.execute(
        "SELECT business_date, clearing_account, settled, closing FROM marts.clearing_balances "
        "WHERE canonical_tender IS NULL ORDER BY business_date"
    ).fetchall()
    assert unattributed[0] == (_day(3), "1010", D("48.50"), D("-48.50"))
    assert unattributed[-1] == (_day(5), "1010", D("0.00"), D("-48.50"))


def test_businesses_never_share_payouts_or_deposits_even_with_the_same_ids():
    # Two merchants' processors both call their payout po_shared_01 and the banks bt_1.
    con = _warehouse([(None, "0.00", "3")])
    payout(con, "cafe", "L1", "po_shared_01", 3, [("CHARGE", "p1", "120.00", "3.50")])
    deposit(con, "cafe", "bt_1", 3, "116.50", "po_shared_01")
    payout(con, "boutique", "L2", "po_shared_01", 3, [("CHARGE", "p1", "80.00", "2.00")])
    deposit(con, "boutique", "bt_1", 4, "78.00", "po_shared_01")
    rebuild(con, "marts.reconciliation")
    got = con.execute(
        "SELECT business_id, status, deposit_id, expected_amount, deposited_amount "
        "FROM marts.reconciliation ORDER BY business_id"
    ).fetchall()
    assert got == [
        ("boutique", "matched", "bt_1", D("78.00"), D("78.00")),
        ("cafe", "matched", "bt_1", D("116.50"), D("116.50")),
    ]


# -- what a person must look at: deposits counted twice or coded wrong ---------------------------


def _modes(con, **modes):
    for business, mode in modes.items():
        con.execute(
            "UPDATE ref.businesses SET payout_deposits = ? WHERE business_id = ?", [mode, business]
        )


def test_a_payout_deposited_twice_is_named_counted_twice_and_a_split_is_not():
    con = _warehouse([(None, "0.00", "3")])
    # The feed's own deposit and a bank transaction created for the same payout.
    payout(con, "cafe", "L1", "po_twice", 3, [("CHARGE", "p1", "100.00", "2.90")])
    deposit(con, "cafe", "bt_feed", 3, "97.10", "po_twice")
    deposit(con, "cafe", "bt_created", 3, "97.10", "Square payout po_twice")
    payout(con, "cafe", "L1", "po_split", 4, [("CHARGE", "p2", "500.00", "0.00")])
    deposit(con, "cafe", "bt_a", 4, "300.00", "po_split 1/2")
    deposit(con, "cafe", "bt_b", 4, "200.00", "po_split 2/2")
    rebuild(con, "marts.reconciliation")
    got = con.execute(
        "SELECT payout_id, deposit_id, status, exception, difference FROM marts.reconciliation "
        "ORDER BY payout_id, deposit_id"
    ).fetchall()
    assert got == [
        ("po_split", "bt_a", "matched", None, D("0.00")),
        ("po_split", "bt_b", "matched", None, D("0.00")),
        ("po_twice", "bt_created", "partial", "counted_twice", D("97.10")),
        ("po_twice", "bt_feed", "partial", "counted_twice", D("97.10")),
    ]


def test_a_deposit_coded_to_an_account_its_mode_does_not_expect_is_wrong_account():
    con = _warehouse([(None, "0.00", "3")])
    _modes(con, boutique="bank_transaction")
    for business in ("cafe", "boutique"):
        payout(con, business, "L1", f"po_{business}_ok", 3, [("CHARGE", "p1", "50.00", "1.45")])
        deposit(con, business, f"bt_{business}_ok", 3, "48.55", f"po_{business}_ok")
        # Coded to sales: the payout would count as revenue a second time.
        payout(con, business, "L1", f"po_{business}_4000", 4, [("CHARGE", "p2", "20.00", "0.60")])
        deposit(con, business, f"bt_{business}_4000", 4, "19.40", "SQ", account="4000")
        # Coded to funds in transit: right for a transaction Backbone creates, not for the feed.
        payout(con, business, "L1", f"po_{business}_1080", 5, [("CHARGE", "p3", "30.00", "0.90")])
        deposit(con, business, f"bt_{business}_1080", 5, "29.10", "SQ", account="1080")
    rebuild(con, "marts.reconciliation")
    got = dict(
        con.execute(
            "SELECT payout_id, status || ' ' || coalesce(exception, '-') FROM marts.reconciliation"
        ).fetchall()
    )
    assert got == {
        "po_cafe_ok": "matched -",
        "po_cafe_4000": "matched wrong_account",
        "po_cafe_1080": "matched wrong_account",
        "po_boutique_ok": "matched -",
        "po_boutique_4000": "matched wrong_account",
        "po_boutique_1080": "matched -",
    }


def test_a_square_balance_payout_is_one_transfer_seen_once_on_the_bank():
    """Xero lists a transfer as two bank transactions: SPEND-TRANSFER on the Square Balance
    account and RECEIVE-TRANSFER on the bank, both naming the payout. Only the bank side is the
    deposit; a transfer where the feed should code a deposit, or a plain deposit where a transfer
    is due, is wrong_account."""
    con = _warehouse([(None, "0.00", "3")])
    _modes(con, studio="square_balance")
    payout(con, "studio", "L1", "po_transfer", 3, [("CHARGE", "p1", "80.00", "2.32")])
    deposit(con, "studio", "bt_out", 3, "77.68", "po_transfer", "SPEND-TRANSFER", None, "1010")
    deposit(con, "studio", "bt_in", 3, "77.68", "po_transfer", "RECEIVE-TRANSFER", None)
    payout(con, "studio", "L1", "po_feed", 4, [("CHARGE", "p2", "10.00", "0.29")])
    deposit(con, "studio", "bt_feed", 4, "9.71", "po_feed")
    payout(con, "cafe", "L1", "po_cafe", 3, [("CHARGE", "p3", "10.00", "0.29")])
    deposit(con, "cafe", "bt_cafe", 3, "9.71", "po_cafe", "RECEIVE-TRANSFER", None)
    rebuild(con, "marts.reconciliation")
    got = con.execute(
        "SELECT payout_id, deposit_id, status, exception FROM marts.reconciliation ORDER BY ALL"
    ).fetchall()
    assert got == [
        ("po_cafe", "bt_cafe", "matched", "wrong_account"),
        ("po_feed", "bt_feed", "matched", "wrong_account"),
        ("po_transfer", "bt_in", "matched", None),
    ]


def test_payouts_in_transit_and_failed_are_not_open_items():
    con = _warehouse([(None, "0.00", "3")])
    # Sent on the 9th, due on the 10th, the latest loaded day: the bank line may not be in yet.
    payout(con, "cafe", "L1", "po_transit", 9, [("CHARGE", "p1", "40.00", "1.16")], "SENT", 10)
    # Rejected by the bank: back on the Square balance, no deposit to find.
    payout(con, "cafe", "L1", "po_failed", 6, [("CHARGE", "p2", "25.00", "0.73")], "FAILED", 7)
    # Due on the 8th and still nothing in the bank on the 10th.
    payout(con, "cafe", "L1", "po_missing", 7, [("CHARGE", "p3", "10.00", "0.29")], "PAID", 8)
    deposit(con, "cafe", "bt_cash", 10, "540.00", "Cash deposit 2026-11-09")
    rebuild(con, "marts.reconciliation")
    got = {pid: (r["status"], r["aging_bucket"], r["exception"]) for pid, r in rows(con).items()}
    assert got == {
        "po_transit": ("in_transit", None, None),
        "po_failed": ("failed", None, None),
        "po_missing": ("unmatched", "0-2", None),
    }


def test_clearing_leaves_when_a_payout_is_sent_and_a_failed_one_comes_back(clearing):
    # Sent on the 6th, arrives on the 9th; another sent on the 6th fails, known on the 8th.
    clearing.execute("DELETE FROM staging.stg_square__payouts WHERE payout_id = 'po_5'")
    clearing.execute("DELETE FROM staging.stg_square__payout_entries WHERE payout_id = 'po_5'")
    payout(clearing, "cafe", "L1", "po_slow", 6, [("CHARGE", "pay_x", "20.00", "0.58")], "PAID", 9)
    payout(clearing, "cafe", "L1", "po_bad", 6, [("CHARGE", "pay_y", "7.00", "0.20")], "FAILED")
    clearing.execute(
        "UPDATE staging.stg_square__payouts SET updated_at = TIMESTAMPTZ '2026-11-08 15:00:00+00' "
        "WHERE payout_id = 'po_bad'"
    )
    rebuild(clearing, "marts.clearing_balances")
    settled = clearing.execute(
        "SELECT business_date, sum(settled) FROM marts.clearing_balances "
        "WHERE canonical_tender IS NULL AND business_date >= DATE '2026-11-06' GROUP BY ALL "
        "ORDER BY ALL"
    ).fetchall()
    # Both leave on the 6th (19.42 + 6.80); the failed one is back on the 8th. The arrival on the
    # 9th moves nothing in clearing: no flow that day, so the balances end on the 8th.
    assert settled == [(_day(6), D("26.22")), (_day(7), D("0.00")), (_day(8), D("-6.80"))]
