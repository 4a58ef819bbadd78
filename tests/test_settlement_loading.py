"""What the journal loads for settlement: a decided dispute's loss is posted once."""

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from pipeline.accounting.adjustments import entries_to_write
from pipeline.accounting.dispute_losses import losses_posted
from pipeline.accounting.settlement import post_settlement
from pipeline.store.journal import load_settlement, posted_entries
from pipeline.store.journal_write import write_day
from pipeline.store.schema import MIGRATIONS_DIR, migrate
from tests.test_posting_properties import ACCOUNTS

DECIDED = date(2026, 11, 18)
TOUCHED = date(2026, 11, 21)


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
        "location_id VARCHAR, business_date DATE, status VARCHAR)"
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
    payouts, disputes = load_settlement(con, day, "LBTQSEA")
    fresh = post_settlement("boutique", "LBTQSEA", day, payouts, disputes, ACCOUNTS)
    entries = entries_to_write(fresh, posted_entries(con, day, ["LBTQSEA"]), posting_date=day)
    losses = losses_posted("boutique", "LBTQSEA", day, disputes, entries)
    write_day(con, day, ["LBTQSEA"], entries, [], losses, run_id="test")
    return entries


def _square_touches_it(con: duckdb.DuckDBPyConnection, at: str) -> None:
    con.execute(f"UPDATE staging.stg_square__disputes SET updated_at = TIMESTAMPTZ '{at}'")


def test_a_lost_dispute_posts_its_loss_once_even_when_square_touches_it_later():
    con = _warehouse()
    _, disputes = load_settlement(con, DECIDED, "LBTQSEA")
    assert [(d.dispute_id, d.amount, d.lost) for d in disputes] == [("dsp_1", 8900, True)]
    # The loss is posted on the 18th; then Square updates the dispute on the 21st.
    (entry,) = _post_settlement(con, DECIDED)
    assert con.execute("SELECT * FROM marts.dispute_losses").fetchall() == [
        ("dsp_1", "boutique", "LBTQSEA", entry.entry_id, DECIDED)
    ]
    _square_touches_it(con, "2026-11-21 18:00:00+00")
    assert load_settlement(con, TOUCHED, "LBTQSEA") == ([], [])
    # Re-posting the original day still sees it (its own posting is not 'elsewhere').
    _square_touches_it(con, "2026-11-18 20:00:00+00")
    assert load_settlement(con, DECIDED, "LBTQSEA")[1][0].lost


def test_a_posted_loss_stays_on_its_day_when_that_day_is_posted_again_after_a_touch():
    con = _warehouse()
    _post_settlement(con, DECIDED)
    _square_touches_it(con, "2026-11-21 18:00:00+00")
    # Re-posting the 18th (a refund reason, a late fact) must not reverse the loss there.
    assert [d.dispute_id for d in load_settlement(con, DECIDED, "LBTQSEA")[1] if d.lost] == [
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
    assert load_settlement(con, TOUCHED, "LBTQSEA") == ([], [])
