"""What the journal loads for settlement: a decided dispute's loss is posted once; a payout
leaves clearing the day it is sent, reaches the bank the day it arrives (even when that is learnt
late) and a failed one comes back."""

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from pipeline.accounting.adjustments import entries_to_write
from pipeline.accounting.dispute_losses import losses_posted
from pipeline.accounting.settlement import post_settlement
from pipeline.store.journal import Settlement, load_settlement, load_settlements, posted_entries
from pipeline.store.journal_write import write_day
from pipeline.store.schema import MIGRATIONS_DIR, migrate
from tests.test_posting_properties import ACCOUNTS

DECIDED = date(2026, 11, 18)
TOUCHED = date(2026, 11, 21)
NOTHING = Settlement([], [], [], [])


def _warehouse(migrations: Path = MIGRATIONS_DIR) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    migrate(con, migrations)  # schemas, ops and the journal's tables
    con.execute(
        "CREATE TABLE ref.locations AS SELECT 'LBTQSEA' AS location_id, "
        "'America/Los_Angeles' AS timezone"
    )
    con.execute(
        "CREATE TABLE ref.tenders AS SELECT '1010' AS clearing_account, 'true' AS settles_in_payout"
    )
    con.execute(
        "CREATE TABLE staging.stg_square__payouts (payout_id VARCHAR, business_id VARCHAR, "
        "location_id VARCHAR, business_date DATE, status VARCHAR, arrival_date DATE, "
        "created_at TIMESTAMPTZ, updated_at TIMESTAMPTZ)"
    )
    con.execute(
        "CREATE TABLE staging.stg_square__payout_entries (payout_id VARCHAR, business_id VARCHAR, "
        "payout_entry_id VARCHAR, entry_type VARCHAR, dispute_id VARCHAR, "
        "net_money DECIMAL(18, 2))"
    )
    con.execute(
        "CREATE TABLE core.tender_facts (business_id VARCHAR, fact_kind VARCHAR, fact_id VARCHAR, "
        "payout_entry_id VARCHAR, clearing_account VARCHAR)"
    )
    con.execute(
        "INSERT INTO core.tender_facts VALUES ('boutique', 'dispute', 'dsp_1', NULL, '1010')"
    )
    con.execute(
        "CREATE TABLE staging.stg_square__disputes AS SELECT 'dsp_1' AS dispute_id, "
        "'boutique' AS business_id, 'LBTQSEA' AS location_id, TRUE AS is_chargeback, "
        "'LOST' AS state, TIMESTAMPTZ '2026-11-18 20:00:00+00' AS updated_at, "
        "CAST(89.00 AS DECIMAL(18, 2)) AS amount_money"
    )
    return con


def _post_settlement(con: duckdb.DuckDBPyConnection, day: date):
    """Settlement's part of posting the day, written as the journal writes it."""
    return _post(con, day, posting_date=day)


def _post(con: duckdb.DuckDBPyConnection, day: date, posting_date: date):
    s = load_settlement(con, day, "LBTQSEA")
    fresh = post_settlement(
        "boutique", "LBTQSEA", day, s.payouts, s.disputes, ACCOUNTS, s.deposits, s.returned
    )
    entries = entries_to_write(fresh, posted_entries(con, day, ["LBTQSEA"]), posting_date)
    losses = losses_posted("boutique", "LBTQSEA", day, s.disputes, entries)
    write_day(con, day, ["LBTQSEA"], entries, [], losses, run_id="test")
    return entries


def _square_touches_it(con: duckdb.DuckDBPyConnection, at: str) -> None:
    con.execute(f"UPDATE staging.stg_square__disputes SET updated_at = TIMESTAMPTZ '{at}'")


def test_a_lost_dispute_posts_its_loss_once_even_when_square_touches_it_later():
    con = _warehouse()
    disputes = load_settlement(con, DECIDED, "LBTQSEA").disputes
    assert [(d.dispute_id, d.amount, d.lost) for d in disputes] == [("dsp_1", 8900, True)]
    # The loss is posted on the 18th; then Square updates the dispute on the 21st.
    (entry,) = _post_settlement(con, DECIDED)
    assert con.execute("SELECT * FROM marts.dispute_losses").fetchall() == [
        ("dsp_1", "boutique", "LBTQSEA", entry.entry_id, DECIDED)
    ]
    _square_touches_it(con, "2026-11-21 18:00:00+00")
    assert load_settlement(con, TOUCHED, "LBTQSEA") == NOTHING
    # Re-posting the original day still sees it (its own posting is not 'elsewhere').
    _square_touches_it(con, "2026-11-18 20:00:00+00")
    assert load_settlement(con, DECIDED, "LBTQSEA").disputes[0].lost


def test_a_posted_loss_stays_on_its_day_when_that_day_is_posted_again_after_a_touch():
    con = _warehouse()
    _post_settlement(con, DECIDED)
    _square_touches_it(con, "2026-11-21 18:00:00+00")
    # Re-posting the 18th (a refund reason, a late fact) must not reverse the loss there.
    assert [d.dispute_id for d in load_settlement(con, DECIDED, "LBTQSEA").disputes if d.lost] == [
        "dsp_1"
    ]
    assert _post_settlement(con, DECIDED) == []
    assert _post_settlement(con, TOUCHED) == []
    assert con.execute(
        "SELECT sum(debit) - sum(credit) FROM marts.journal_lines WHERE account_code = '6150'"
    ).fetchone() == (Decimal("89.00"),)


def test_losses_an_older_warehouse_posted_are_recorded_when_it_migrates(tmp_path):
    before = tmp_path / "migrations"
    before.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name < "0005":
            shutil.copy(path, before)
    con = _warehouse(before)
    # Posted before losses were recorded: the loss is in the lines' memo only.
    con.execute(
        "INSERT INTO marts.journal_entries (entry_id, business_id, location_id, business_date, "
        "kind, memo, total, activity_date) VALUES ('LBTQSEA-2026-11-18-CHARGEBACK', 'boutique', "
        "'LBTQSEA', DATE '2026-11-18', 'CHARGEBACK', 'm', 89.00, DATE '2026-11-18')"
    )
    con.execute(
        "INSERT INTO marts.journal_lines VALUES "
        "('LBTQSEA-2026-11-18-CHARGEBACK', 1, '6150', 89.00, 0, 'Lost dsp_1', DATE '2026-11-18', "
        "'LBTQSEA'), ('LBTQSEA-2026-11-18-CHARGEBACK', 2, '1250', 0, 89.00, 'Lost dsp_1', "
        "DATE '2026-11-18', 'LBTQSEA')"
    )
    migrate(con)
    assert con.execute("SELECT * FROM marts.dispute_losses").fetchall() == [
        ("dsp_1", "boutique", "LBTQSEA", "LBTQSEA-2026-11-18-CHARGEBACK", DECIDED)
    ]
    _square_touches_it(con, "2026-11-21 18:00:00+00")
    assert load_settlement(con, TOUCHED, "LBTQSEA") == NOTHING


# -- payouts: sent, in transit, arrived, failed ---------------------------------------------------

SENT, MONDAY, ARRIVED = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 23)


def _payout(con, payout_id: str, status: str, updated_at: str, *entries, sent=SENT) -> None:
    """A payout sent at 10:00 Seattle (Friday unless told), due to arrive on Monday the 23rd."""
    con.execute(
        "INSERT INTO staging.stg_square__payouts VALUES (?, 'boutique', 'LBTQSEA', ?, ?, ?, "
        "CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ))",
        [payout_id, sent, status, ARRIVED, f"{sent} 18:00:00+00", updated_at],
    )
    for i, (kind, net) in enumerate(entries):
        entry_id = f"poe_{payout_id}_{i}"
        con.execute(
            "INSERT INTO staging.stg_square__payout_entries VALUES (?, 'boutique', ?, ?, NULL, ?)",
            [payout_id, entry_id, kind, Decimal(net)],
        )
        con.execute(
            "INSERT INTO core.tender_facts VALUES ('boutique', 'payment', ?, ?, '1010')",
            [f"pay_{entry_id}", entry_id],
        )


def _balance(con, account: str, through: date) -> Decimal:
    return con.execute(
        "SELECT coalesce(sum(debit) - sum(credit), 0) FROM marts.journal_lines "
        "WHERE account_code = ? AND business_date <= ?",
        [account, through],
    ).fetchone()[0]


def test_a_payout_sent_on_friday_reaches_the_bank_on_monday_even_when_learnt_late():
    con = _warehouse()
    con.execute("DELETE FROM staging.stg_square__disputes")
    # Friday: sent, still SENT when Friday is posted. 120.00 of charges less a 12.50 refund.
    _payout(
        con, "po_fri", "SENT", "2026-11-20 18:00:00+00", ("CHARGE", "120.00"), ("REFUND", "-12.50")
    )
    (sent,) = _post(con, SENT, posting_date=SENT)
    assert (sent.kind, sent.business_date) == ("PAYOUT", SENT)
    assert (_balance(con, "1010", SENT), _balance(con, "1080", SENT)) == (
        Decimal("-107.50"),
        Decimal("107.50"),
    )
    # Monday is posted (Square sends Monday's own payout) before the re-extraction brings
    # Friday's PAID status: nothing arrives yet.
    _payout(con, "po_mon", "SENT", "2026-11-23 18:00:00+00", ("CHARGE", "5.00"), sent=ARRIVED)
    assert [e.kind for e in _post(con, ARRIVED, posting_date=ARRIVED)] == ["PAYOUT"]
    assert _balance(con, "1090", ARRIVED) == 0
    # Tuesday's run re-extracts Friday's payouts: PAID, arrived Monday. Re-posting Monday adds a
    # late DEPOSIT, dated on the posting day, pointing back at Monday.
    con.execute(
        "UPDATE staging.stg_square__payouts SET status = 'PAID', "
        "updated_at = TIMESTAMPTZ '2026-11-23 17:00:00+00' WHERE payout_id = 'po_fri'"
    )
    assert _post(con, SENT, posting_date=date(2026, 11, 24)) == []  # Friday is unchanged
    (late,) = _post(con, ARRIVED, posting_date=date(2026, 11, 24))
    assert (late.kind, late.activity_date, late.business_date) == (
        "DEPOSIT",
        ARRIVED,
        date(2026, 11, 24),
    )
    assert late.adjusts_entry_id == "LBTQSEA-2026-11-23-PAYOUT"
    assert [(x.account_code, x.debit, x.credit) for x in late.lines] == [
        ("1080", 0, 10750),
        ("1090", 10750, 0),
    ]
    assert (
        _balance(con, "1080", date(2026, 11, 24)) - Decimal("5.00"),
        _balance(con, "1090", date(2026, 11, 24)),
    ) == (
        0,
        Decimal("107.50"),
    )
    # Posted again with the same facts, nothing more is written.
    assert _post(con, ARRIVED, posting_date=date(2026, 11, 25)) == []


def test_a_payout_paid_by_the_time_its_days_are_posted_moves_on_each_day():
    con = _warehouse()
    con.execute("DELETE FROM staging.stg_square__disputes")
    _payout(con, "po_fri", "PAID", "2026-11-23 17:00:00+00", ("CHARGE", "80.00"))
    assert [e.kind for e in _post(con, SENT, SENT)] == ["PAYOUT"]
    # Saturday is not its arrival day even though it is the local day after sending.
    assert _post(con, MONDAY, MONDAY) == []
    (deposit,) = _post(con, ARRIVED, ARRIVED)
    assert (deposit.kind, deposit.business_date) == ("DEPOSIT", ARRIVED)
    assert _balance(con, "1090", ARRIVED) == Decimal("80.00")


def test_a_failed_payout_returns_to_clearing_on_the_day_the_failure_is_known():
    con = _warehouse()
    con.execute("DELETE FROM staging.stg_square__disputes")
    _payout(con, "po_fri", "FAILED", "2026-11-25 02:00:00+00", ("CHARGE", "80.00"))
    assert [e.kind for e in _post(con, SENT, SENT)] == ["PAYOUT"]
    assert _post(con, ARRIVED, ARRIVED) == []  # it never arrives
    # 02:00 UTC on the 25th is still the 24th in Seattle: the failure's business date.
    failed_on = date(2026, 11, 24)
    (back,) = _post(con, failed_on, failed_on)
    assert [(x.account_code, x.debit, x.credit) for x in back.lines] == [
        ("1010", 8000, 0),
        ("1080", 0, 8000),
    ]
    assert back.kind == "PAYOUT_RETURN"
    assert [_balance(con, code, failed_on) for code in ("1010", "1080", "1090")] == [0, 0, 0]


def test_read_for_many_locations_at_once_each_location_gets_only_its_own_settlement():
    con = _warehouse()
    con.execute("INSERT INTO ref.locations VALUES ('LBTQPDX', 'America/Los_Angeles')")
    # Seattle: the lost dispute of the 18th and a payout sent that day; Portland: its own payout.
    _payout(con, "po_sea", "SENT", "2026-11-18 18:00:00+00", ("CHARGE", "40.00"), sent=DECIDED)
    _payout(con, "po_pdx", "SENT", "2026-11-18 18:00:00+00", ("CHARGE", "15.00"), sent=DECIDED)
    con.execute(
        "UPDATE staging.stg_square__payouts SET location_id = 'LBTQPDX' WHERE payout_id = 'po_pdx'"
    )
    both = load_settlements(con, DECIDED, ["LBTQSEA", "LBTQPDX", "LNONE"])
    assert both["LBTQSEA"] == load_settlement(con, DECIDED, "LBTQSEA")
    assert both["LBTQPDX"] == load_settlement(con, DECIDED, "LBTQPDX")
    assert both["LNONE"] == NOTHING
    assert [d.dispute_id for d in both["LBTQSEA"].disputes] == ["dsp_1"]
    assert both["LBTQPDX"].disputes == []
    assert [p.amount for p in both["LBTQSEA"].payouts] == [4000]
    assert [p.amount for p in both["LBTQPDX"].payouts] == [1500]
