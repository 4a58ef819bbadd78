"""What the journal loads for settlement: a decided dispute's loss is posted once."""

from datetime import date

import duckdb

from assets.journal import DDL, load_settlement


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for schema in ("staging", "core", "ref", "marts"):
        con.execute(f"CREATE SCHEMA {schema}")
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
    con.execute(DDL)
    return con


def test_a_lost_dispute_posts_its_loss_once_even_when_square_touches_it_later():
    con = _warehouse()
    _, disputes = load_settlement(con, date(2026, 11, 18), "LBTQSEA")
    assert [(d.dispute_id, d.amount, d.lost) for d in disputes] == [("dsp_1", 8900, True)]
    # The loss is posted on the 18th; then Square updates the dispute on the 21st.
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
    con.execute(
        "UPDATE staging.stg_square__disputes SET updated_at = TIMESTAMPTZ '2026-11-21 18:00:00+00'"
    )
    assert load_settlement(con, date(2026, 11, 21), "LBTQSEA") == ([], [])
    # Re-posting the original day still sees it (its own posting is not 'elsewhere').
    con.execute(
        "UPDATE staging.stg_square__disputes SET updated_at = TIMESTAMPTZ '2026-11-18 20:00:00+00'"
    )
    assert load_settlement(con, date(2026, 11, 18), "LBTQSEA")[1][0].lost
