"""Pandera contracts refuse what must never be committed."""

import duckdb
import pytest

from pipeline.store.contracts import validate_table
from pipeline.store.schema import migrate


@pytest.fixture
def con():
    con = duckdb.connect()
    migrate(con)
    con.execute(
        "CREATE OR REPLACE TABLE marts.journal_lines (entry_id VARCHAR, line_no INTEGER, "
        "account_code VARCHAR, debit DECIMAL(18, 2), credit DECIMAL(18, 2))"
    )
    return con


def test_balanced_journal_passes(con):
    con.execute(
        "INSERT INTO marts.journal_lines VALUES ('e', 1, '1010', 5.00, 0), "
        "('e', 2, '4000', 0, 5.00)"
    )
    validate_table(con, "marts.journal_lines")


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ("('e', 1, '1010', 5.00, 5.00), ('e', 2, '4000', 0, 0)", "either a debit or a credit"),
        ("('e', 1, '1010', -5.00, 0), ('e', 2, '4000', 0, -5.00)", "negative amount"),
        ("('e', 1, 'CASH', 5.00, 0), ('e', 2, '4000', 0, 5.00)", "str_matches"),
    ],
)
def test_broken_journal_is_refused(con, rows, problem):
    con.execute(f"INSERT INTO marts.journal_lines VALUES {rows}")
    with pytest.raises(ValueError, match=problem):
        validate_table(con, "marts.journal_lines")


def test_money_must_be_decimal_not_float(con):
    con.execute(
        "CREATE TABLE marts.scorecard_daily (business_date DATE, metric VARCHAR, value DOUBLE)"
    )
    con.execute("INSERT INTO marts.scorecard_daily VALUES ('2026-11-20', 'net_sales', 10.5)")
    with pytest.raises(ValueError, match=r"DECIMAL\(18,2\)"):
        validate_table(con, "marts.scorecard_daily")


def test_contract_errors_do_not_leak_pii(con):
    con.execute("CREATE SCHEMA IF NOT EXISTS core")
    con.execute(
        "CREATE TABLE core.customers AS SELECT 'cus_1' AS customer_id, 'cafe' AS business_id, "
        "'jane.doe@example.com' AS email, '2064821937' AS phone, TRUE AS consent_email, "
        "FALSE AS consent_sms, 'US-NY-NYC' AS jurisdiction"
    )
    with pytest.raises(ValueError, match="phone") as info:
        validate_table(con, "core.customers")
    assert "2064821937" not in str(info.value)


def test_a_broken_row_is_named_by_table_key_and_values(con):
    con.execute(
        "INSERT INTO marts.journal_lines VALUES ('LCAFE01-2026-11-20-SALES', 1, '1010', 5.00, 0), "
        "('LCAFE01-2026-11-20-SALES', 2, '4000', 3.00, 3.00)"
    )
    with pytest.raises(ValueError) as info:
        validate_table(con, "marts.journal_lines")
    message = str(info.value)
    assert message.startswith("marts.journal_lines breaks its contract: ")
    assert (
        "each line is either a debit or a credit fails for the row "
        "entry_id=LCAFE01-2026-11-20-SALES, line_no=2: " in message
    )
    assert "debit=3.00" in message and "credit=3.00" in message
    assert "None" not in message
