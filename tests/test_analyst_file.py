"""The analysts' scorecard.duckdb: account names beside codes, customers under a keyed pseudonym
(stable, not reversible from the file, erased customers gone), a README table, and the README's
two example queries answered by `backbone sql` in a subprocess, on a hand-made cafe and boutique
whose "last week" is the ISO week before today."""

import csv
import hashlib
import io
import re
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import duckdb

from assets.exports import SCORECARD_TABLES
from pipeline.store.analyst_file import export_analyst_file, forget_customer
from tests.scorecard_world import CAFE, LOC, World

BACKBONE = Path(sys.executable).parent / "backbone"
README = Path(__file__).resolve().parents[1] / "README.md"
LAST_MONDAY = date.today() - timedelta(days=date.today().weekday() + 7)
BTQ, BTQ_LOC = "boutique", "LBTQSEA"


def _readme_query(title: str) -> str:
    """The ```sql block of README.md that starts with `-- <title>`."""
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(), flags=re.DOTALL)
    return next(b for b in blocks if b.startswith(f"-- {title}\n"))


def _world() -> World:
    w = World()
    w.con.execute(
        "ALTER TABLE core.customer_purchases ADD COLUMN category VARCHAR; "
        "ALTER TABLE core.customer_purchases ADD COLUMN size VARCHAR; "
        "ALTER TABLE core.customer_purchases ADD COLUMN brand VARCHAR"
    )
    w.insert("core.crm_as_of", [(CAFE, date.today()), (BTQ, date.today())])

    def visit(business, customer, order, day, amount):
        location = LOC if business == CAFE else BTQ_LOC
        w.con.execute(
            "INSERT INTO core.customer_purchases (business_id, customer_id, order_id, "
            "location_id, business_date, ordered_at, line_kind, net_amount, counts_in_ltv) "
            "VALUES (?, ?, ?, ?, ?, ?::TIMESTAMPTZ, 'sale', ?, TRUE)",
            [business, customer, order, location, day, f"{day} 15:00:00+00", D(amount)],
        )

    # Cafe: Ann's 1st visit two weeks earlier, her 2nd last Tuesday (30.00, repeat); Bob's 1st
    # last Wednesday (40.00), his 2nd last Thursday (10.00, repeat). Repeat 40.00 of 80.00.
    visit(CAFE, "cust-ann", "A1", LAST_MONDAY - timedelta(days=14), "20.00")
    visit(CAFE, "cust-ann", "A2", LAST_MONDAY + timedelta(days=1), "30.00")
    visit(CAFE, "cust-bob", "B1", LAST_MONDAY + timedelta(days=2), "40.00")
    visit(CAFE, "cust-bob", "B2", LAST_MONDAY + timedelta(days=3), "10.00")
    # Boutique: Cy's 1st visit last Friday (100.00); the 2nd is this week, not last.
    visit(BTQ, "cust-cy", "C1", LAST_MONDAY + timedelta(days=4), "100.00")
    visit(BTQ, "cust-cy", "C2", LAST_MONDAY + timedelta(days=7), "50.00")
    # The journal: the cafe's food 100.00 less a 3.00 discount, tax 10.00; the boutique's
    # retail 45.00 less a 5.00 return, tax 10.00.
    day = LAST_MONDAY + timedelta(days=1)
    w.entry(
        "E1",
        LOC,
        day,
        None,
        [
            ("1010", "107.00", "0"),
            ("4900", "3.00", "0"),
            ("4000", "0", "100.00"),
            ("2110", "0", "10.00"),
        ],
    )
    w.entry(
        "E2",
        BTQ_LOC,
        day,
        None,
        [
            ("1010", "50.00", "0"),
            ("4910", "5.00", "0"),
            ("4010", "0", "45.00"),
            ("2120", "0", "10.00"),
        ],
        business=BTQ,
    )
    models = ["marts.customer_ltv", "marts.customer_facts", "marts.customer_visits"]
    models += ["marts.campaign_response", *sorted(_metric_models())]
    w.build(*models, "marts.scorecard_daily", "marts.scorecard_weekly")
    return w


def _metric_models() -> list[str]:
    from tests.scorecard_world import MODELS

    return [t for t in MODELS if t.startswith("marts.metric_")]


def _sql(path: Path, query: str) -> list[list[str]]:
    done = subprocess.run(  # noqa: S603 - the venv's own backbone, fixed arguments
        [str(BACKBONE), "sql", str(path), "--csv", "-c", query],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return list(csv.reader(io.StringIO(done.stdout)))


def test_backbone_sql_answers_the_readme_questions_on_the_exported_file(tmp_path):
    w = _world()
    target = tmp_path / "scorecard.duckdb"
    export_analyst_file(w.con, target, SCORECARD_TABLES)
    repeat = _sql(target, _readme_query("repeat revenue per business last week"))
    assert repeat == [
        ["business_id", "repeat_revenue", "identified_revenue", "repeat_share_pct"],
        ["boutique", "0.00", "100.00", "0.00"],  # Cy's 2nd visit is this week
        ["cafe", "40.00", "80.00", "50.00"],
    ]
    by_account = _sql(target, _readme_query("net sales by account name"))
    assert by_account == [
        ["account_code", "account_name", "net_sales"],
        ["4000", "Food & Beverage Sales", "100.00"],
        ["4010", "Retail Merchandise Sales", "45.00"],
        ["4900", "Sales Discounts", "-3.00"],
        ["4910", "Sales Returns & Refunds", "-5.00"],
    ]
    # A bad query is one line on stderr and exit status 1.
    bad = subprocess.run(  # noqa: S603 - the venv's own backbone, fixed arguments
        [str(BACKBONE), "sql", str(target), "-c", "SELECT * FROM no_such_table"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and bad.stderr.startswith("error: ")


def test_customers_are_pseudonymous_stable_and_not_a_plain_hash(tmp_path):
    w = _world()
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    export_analyst_file(w.con, first, SCORECARD_TABLES)
    export_analyst_file(w.con, second, SCORECARD_TABLES)
    with duckdb.connect(str(first), read_only=True) as con:
        keys = con.execute(
            "SELECT customer_key, business_id, visits, cohort_month, net_ltv "
            "FROM marts.customers ORDER BY business_id, visits"
        ).fetchall()
        columns = {
            c
            for (c,) in con.execute("SELECT column_name FROM information_schema.columns").fetchall()
        }
        text = " ".join(
            str(v)
            for (t,) in con.execute(
                "SELECT schema_name || '.' || table_name FROM duckdb_tables()"
            ).fetchall()
            for row in con.execute(f"SELECT * FROM {t}").fetchall()
            for v in row
        )
        readme = con.execute("SELECT table_name FROM README WHERE column_name IS NULL").fetchall()
    # Ann: 2 visits 50.00 since her first month; Bob 2 visits 50.00; Cy 2 visits 150.00.
    assert [(b, v, n) for _, b, v, _, n in keys] == [
        ("boutique", 2, D("150.00")),
        ("cafe", 2, D("50.00")),
        ("cafe", 2, D("50.00")),
    ]
    assert {m for *_, m, _ in keys} >= {(LAST_MONDAY - timedelta(days=14)).strftime("%Y-%m")}
    # No customer id, under any column name or inside any value; no unkeyed hash of one either.
    assert "customer_id" not in columns and "name" not in columns
    for cid in ("cust-ann", "cust-bob", "cust-cy"):
        assert cid not in text
        assert hashlib.sha256(cid.encode()).hexdigest() not in text
    # The same keys in the next export (the key lives in the warehouse, never in the file).
    with duckdb.connect(str(second), read_only=True) as con:
        again = con.execute(
            "SELECT customer_key, business_id, visits, cohort_month, net_ltv "
            "FROM marts.customers ORDER BY business_id, visits"
        ).fetchall()
        assert "pseudonym_keys" not in str(con.execute("SELECT * FROM duckdb_tables()").fetchall())
    assert sorted(again) == sorted(keys)
    assert {t for (t,) in readme} >= {*SCORECARD_TABLES, "ref.accounts", "marts.customers"}


def test_an_erased_customer_leaves_the_file_and_never_comes_back(tmp_path):
    w = _world()
    target = tmp_path / "scorecard.duckdb"
    export_analyst_file(w.con, target, SCORECARD_TABLES)
    # `backbone erase` logs the subject and removes their rows from the current file ...
    w.con.execute(
        "INSERT INTO ops.erased_subjects (business_id, source, record_id, customer_id, "
        "pseudonym, erased_at) VALUES ('cafe', 'square', 'SQ-BOB', 'cust-bob', 'p', now())"
    )
    assert forget_customer(w.con, target, "cust-bob") == 1 + 2  # his customer row, 2 visits

    def counts():
        with duckdb.connect(str(target), read_only=True) as con:
            return con.execute(
                "SELECT (SELECT count(*) FROM marts.customers), "
                "(SELECT count(*) FROM marts.customer_visits)"
            ).fetchone()

    assert counts() == (2, 4)
    # ... and the next export leaves them out although the warehouse still has their facts.
    export_analyst_file(w.con, target, SCORECARD_TABLES)
    assert counts() == (2, 4)
