"""The analysts' scorecard.duckdb: the scorecards, the journal with account names beside the
codes, customer-level facts under a pseudonymous key, and a README table saying what each table
and column is. Written to a new file, then renamed over the old one, so a reader never sees half.

No PII goes in: no customer id, email, phone or name. A customer is `customer_key`, the
HMAC-SHA256 of the customer id under a random per-warehouse key (ops.pseudonym_keys, never
exported): stable across runs, and not reversible from the file (an unkeyed hash of an id could
be reversed by hashing every candidate id). HMAC is the standard library's `hmac`: DuckDB has
no keyed hash. Customers erased on request (ops.erased_subjects) are left out, so an erased
customer never reappears here; `backbone erase` also deletes their rows from the current file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.kernel.timeutil import utcnow
from pipeline.store.sql_models import discover
from pipeline.store.transaction import transaction

PURPOSE = "analyst_customer_key"

# Tables that are not plain copies, and the SELECT over the warehouse that fills each: the
# customer-level ones read `_keys` (customer_id -> customer_key); account columns are named
# account_* so no column is a bare `name`.
DERIVED_TABLES = {
    "ref.accounts": """
        SELECT account_code, name AS account_name, type AS account_type, class AS account_class
        FROM ref.accounts ORDER BY account_code""",
    "marts.customers": """
        SELECT k.customer_key, f.business_id,
               strftime(f.first_purchase, '%Y-%m') AS cohort_month,
               f.visits, f.first_purchase, f.last_purchase,
               f.gross_sales, f.refunds, f.net_ltv, f.vip_tier
        FROM marts.customer_facts AS f JOIN _keys AS k USING (customer_id)
        ORDER BY f.business_id, k.customer_key""",
    "marts.customer_visits": """
        SELECT k.customer_key, v.business_id, v.location_id, v.business_date, v.visit_no,
               v.net_sales
        FROM marts.customer_visits AS v JOIN _keys AS k USING (customer_id)
        ORDER BY v.business_id, k.customer_key, v.visit_no""",
    "marts.journal_lines": """
        SELECT l.*, a.name AS account_name, a.type AS account_type, a.class AS account_class
        FROM marts.journal_lines AS l LEFT JOIN ref.accounts AS a USING (account_code)""",
}

# What the README table says of the tables that are not SQL models (those use their own header).
DESCRIPTIONS = {
    "marts.customers": "One row per pseudonymous customer and business: visits, first and last "
    "purchase (local business dates), cohort_month (month of the first purchase), gross sales, "
    "refunds and net lifetime value (before tax and tips) and VIP tier. No names or contacts.",
    "marts.customer_visits": "One row per visit (completed order with something sold) of a "
    "pseudonymous customer: business date, location, visit_no (1 = first visit to the business "
    "in the loaded history) and net_sales. Repeat revenue = net_sales where visit_no >= 2.",
    "marts.journal_lines": "Journal lines, each entry balanced (sum debit = sum credit), with "
    "the account's name, type and class from reference/accounts.csv beside its code.",
    "marts.journal_entries": "Posted journal entries (append-only) per location and business "
    "date; kind says which rule posted it, activity_date the day an adjustment corrects.",
    "ref.accounts": "The chart of accounts (reference/accounts.csv): code, name, Xero type, class.",
    "ref.metrics": "The scorecard's metric catalog: label, unit, grain, which direction is "
    "good, one-line definition (full definitions: docs/metrics.md).",
}
COLUMNS = {
    ("marts.customers", "customer_key"): "HMAC-SHA256 of the customer id under a secret key "
    "kept in the warehouse: the same customer keeps it across runs; not reversible from here.",
    ("marts.customer_visits", "visit_no"): "1 for the customer's first visit to the business "
    "in the loaded history, 2 for the second, ...",
    ("marts.journal_lines", "account_name"): "The account's name (reference/accounts.csv).",
    ("marts.scorecard_daily", "value"): "DECIMAL(18,2); NULL when a rate or median has "
    "nothing to stand on. Unit per metric in ref.metrics.",
    ("marts.scorecard_weekly", "week_start"): "Monday of the ISO week, in local business dates.",
}


def pseudonym_key(con: duckdb.DuckDBPyConnection, at: datetime | None = None) -> bytes:
    """The warehouse's key for customer_key, made (random, 32 bytes) the first time."""
    with transaction(con):
        row = con.execute(
            'SELECT "key" FROM ops.pseudonym_keys WHERE purpose = ?', [PURPOSE]
        ).fetchone()
        if row is None:
            key = secrets.token_bytes(32)
            con.execute(
                "INSERT INTO ops.pseudonym_keys VALUES (?, ?, ?)", [PURPOSE, key, at or utcnow()]
            )
            return key
    return bytes(row[0])


def customer_key(key: bytes, customer_id: str) -> str:
    return hmac.new(key, customer_id.encode(), hashlib.sha256).hexdigest()


def _keys(con: duckdb.DuckDBPyConnection, at: datetime | None) -> pd.DataFrame:
    key = pseudonym_key(con, at)
    erased = "SELECT customer_id FROM ops.erased_subjects"
    ids = [
        cid
        for (cid,) in con.execute(
            "SELECT DISTINCT customer_id FROM marts.customer_facts "
            f"WHERE customer_id IS NOT NULL AND customer_id NOT IN ({erased})"
        ).fetchall()
    ]
    return pd.DataFrame(
        {"customer_id": ids, "customer_key": [customer_key(key, c) for c in ids]}, dtype=object
    )


def _readme(tables: list[str]) -> list[tuple[str, str | None, str]]:
    models = {m.table: m.description for m in discover()}
    rows = [("README", None, "This table: what each table (and some columns) of this file is.")]
    for table in tables:
        rows.append((table, None, DESCRIPTIONS.get(table) or models.get(table) or table))
        rows += [(t, c, text) for (t, c), text in COLUMNS.items() if t == table]
    return rows


def export_analyst_file(
    con: duckdb.DuckDBPyConnection, target: Path, copies: list[str], at: datetime | None = None
) -> list[str]:
    """Write the file: `copies` as they are, DERIVED_TABLES, the README; the tables written."""
    keys = _keys(con, at)
    con.register("_keys", keys)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    quoted = str(tmp).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS export_db")
    written = []
    try:
        selects = {t: f"SELECT * FROM {t}" for t in copies} | DERIVED_TABLES
        for table, select in selects.items():
            schema, _ = table.split(".")
            con.execute(f"CREATE SCHEMA IF NOT EXISTS export_db.{schema}")
            con.execute(f"CREATE TABLE export_db.{table} AS {select}")
            written.append(table)
        readme = pd.DataFrame(  # noqa: F841 - read by DuckDB
            _readme(written), columns=["table_name", "column_name", "description"], dtype=object
        )
        con.execute("CREATE TABLE export_db.main.README AS SELECT * FROM readme")
        # The same words as DuckDB comments, for `duckdb_tables()` and tools that show them.
        for table, column, text in _readme(written)[1:]:
            quoted_text = text.replace("'", "''")
            target_name = f"export_db.{table}" + (f".{column}" if column else "")
            kind = "COLUMN" if column else "TABLE"
            con.execute(f"COMMENT ON {kind} {target_name} IS '{quoted_text}'")
    finally:
        con.execute("DETACH export_db")
        con.unregister("_keys")
    os.replace(tmp, target)
    return written


def forget_customer(con: duckdb.DuckDBPyConnection, scorecard: Path, customer_id: str) -> int:
    """Delete an erased customer's rows from an existing analyst file (`con`: the warehouse,
    which holds the key); rows deleted. The next export leaves them out by itself."""
    row = con.execute('SELECT "key" FROM ops.pseudonym_keys WHERE purpose = ?', [PURPOSE])
    row = row.fetchone()
    if row is None or not scorecard.exists():
        return 0
    gone = customer_key(bytes(row[0]), customer_id)
    deleted = 0
    with duckdb.connect(str(scorecard)) as file:
        for table in ("marts.customers", "marts.customer_visits"):
            schema, name = table.split(".")
            if file.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                [schema, name],
            ).fetchone()[0]:
                deleted += file.execute(
                    f"DELETE FROM {table} WHERE customer_key = ?", [gone]
                ).fetchone()[0]
    return deleted
