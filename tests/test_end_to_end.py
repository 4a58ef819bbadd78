"""The whole graph for two business dates, through the sandbox over real HTTP."""

from __future__ import annotations

import duckdb
import pytest

from assets.ledger_sync import LEDGER_SYNC
from tests.conftest import DAY_1, DAY_2, bean_check, http_resources, served_sandbox

pytestmark = pytest.mark.e2e

CONTRACT_TABLES = [
    "core.identity_map",
    "core.customers",
    "core.products",
    "core.tenders",
    "marts.journal_entries",
    "marts.journal_lines",
    "marts.segment_memberships",
    "marts.scorecard_daily",
    "ops.dead_letter",
]
# Ledger write-back requests per daily_job run, in run order (filled by the fixture).
LEDGER_REQUESTS: list[int] = []
PII_HINTS = ("email", "phone", "name", "given", "family", "address", "customer")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from pipeline.definitions import defs

    home = tmp_path_factory.mktemp("backbone_home")
    mp = pytest.MonkeyPatch()
    mp.setenv("BACKBONE_HOME", str(home))
    mp.delenv("BACKBONE_BUSINESSES", raising=False)
    path = str(home / "warehouse.duckdb")
    journals = []
    with served_sandbox() as base_url:
        resources = http_resources(base_url, path)
        job = defs.resolve_job_def("daily_job")
        for _run in range(2):
            for partition in (DAY_1, DAY_2):
                result = job.execute_in_process(
                    partition_key=partition,
                    resources=resources,
                    run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
                )
                assert result.success
                (ledger,) = [
                    e.materialization.metadata["requests"].value
                    for e in result.get_asset_materialization_events()
                    if e.asset_key == LEDGER_SYNC
                ]
                LEDGER_REQUESTS.append(ledger)
            with duckdb.connect(path, read_only=True) as con:
                journals.append(
                    con.execute(
                        "SELECT * FROM marts.journal_lines ORDER BY entry_id, line_no"
                    ).fetchall()
                )
    yield home, journals
    mp.undo()


def test_contract_tables_exist_and_facts_are_not_empty(warehouse):
    home, _ = warehouse
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for table in CONTRACT_TABLES:
            count = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if table != "ops.dead_letter":
                assert count > 0, table
        days = con.execute(
            "SELECT DISTINCT business_date::VARCHAR FROM marts.journal_entries ORDER BY 1"
        ).fetchall()
        assert days == [(DAY_1,), (DAY_2,)]


def test_every_entry_balances_and_money_is_decimal(warehouse):
    home, _ = warehouse
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        unbalanced = con.execute(
            "SELECT entry_id FROM marts.journal_lines GROUP BY entry_id "
            "HAVING sum(debit) <> sum(credit)"
        ).fetchall()
        assert unbalanced == []
        types = con.execute(
            "SELECT table_schema || '.' || table_name || '.' || column_name, data_type "
            "FROM information_schema.columns WHERE table_schema IN ('staging', 'core', 'marts') "
            "AND (column_name LIKE '%money' OR column_name IN ('debit', 'credit', 'total', "
            "'amount', 'net_sales', 'list_price'))"
        ).fetchall()
        assert types and all(t == "DECIMAL(18,2)" for _, t in types), types
        held = con.execute("SELECT count(*) FROM marts.posting_exceptions").fetchone()[0]
        assert held == 0


def test_rerun_changes_no_journal_row(warehouse):
    _, journals = warehouse
    assert journals[0] == journals[1]
    assert len(journals[0]) > 20


def test_every_entry_is_written_back_once_and_the_rerun_sends_nothing(warehouse):
    home, _ = warehouse
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        # The bank side of payouts is the bank feed's in Xero, never a manual journal.
        entries = con.execute(
            "SELECT 'xero:ManualJournals:' || business_id, entry_id FROM marts.journal_entries "
            "WHERE kind NOT IN ('PAYOUT', 'DEPOSIT', 'PAYOUT_RETURN') ORDER BY ALL"
        ).fetchall()
        payouts = con.execute(
            "SELECT count(*) FROM marts.journal_entries WHERE kind = 'PAYOUT'"
        ).fetchone()[0]
        # Other write-backs (the studio's invoices, HubSpot) log there too: journals only here.
        log = con.execute(
            "SELECT target, idempotency_key, status, object_id FROM ops.sync_log "
            "WHERE starts_with(target, 'xero:ManualJournals:') ORDER BY ALL"
        ).fetchall()
    assert payouts > 0
    assert [(t, k) for t, k, _, _ in log] == entries
    assert {s for _, _, s, _ in log} == {"posted"}
    assert len({o for *_, o in log}) == len(entries)  # one ManualJournalID per entry
    # Day 1 and day 2 post their own entries; the second pass over both days sends nothing.
    assert LEDGER_REQUESTS[0] > 0 and LEDGER_REQUESTS[1] > 0
    assert sum(LEDGER_REQUESTS[:2]) == len(entries)
    assert LEDGER_REQUESTS[2:] == [0, 0]


def test_scorecard_has_no_pii_columns(warehouse):
    home, _ = warehouse
    with duckdb.connect(str(home / "scorecard.duckdb"), read_only=True) as con:
        columns = [
            c
            for (c,) in con.execute("SELECT column_name FROM information_schema.columns").fetchall()
        ]
        metrics = {
            m
            for (m,) in con.execute("SELECT DISTINCT metric FROM marts.scorecard_daily").fetchall()
        }
        weekly_sql = "SELECT DISTINCT metric FROM marts.scorecard_weekly"
        weekly = {m for (m,) in con.execute(weekly_sql).fetchall()}
        catalog = {m for (m,) in con.execute("SELECT metric FROM ref.metrics").fetchall()}
    assert columns
    # Names that look personal but are not: an account's name, the README table's own columns,
    # and the keyed pseudonym that stands for a customer (docs/metrics.md, the analyst file).
    not_pii = {"account_name", "table_name", "column_name", "customer_key"}
    assert not [c for c in columns if c not in not_pii and any(h in c.lower() for h in PII_HINTS)]
    assert {"orders", "net_sales", "sync_error_rate_pct", "data_freshness_hours"} <= metrics
    # Every metric a scorecard holds has its label, unit and direction in the catalog.
    assert metrics | weekly <= catalog


def test_segment_and_identity_link_across_systems(warehouse):
    home, _ = warehouse
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        multi = con.execute(
            "SELECT count(*) FROM (SELECT customer_id FROM core.identity_map "
            "GROUP BY customer_id HAVING count(DISTINCT source) > 1)"
        ).fetchone()[0]
        assert multi > 100
        assert (
            con.execute(
                "SELECT count(*) FROM core.customers WHERE NOT consent_email AND email IS NOT NULL"
            ).fetchone()[0]
            > 0
        )


def _pairwise(clusters: dict[str, str], truth: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of predicted clusters against true persons."""
    from collections import Counter

    def pairs(counter: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    keys = clusters.keys() & truth.keys()
    both = pairs(Counter((clusters[k], truth[k]) for k in keys))
    predicted = pairs(Counter(clusters[k] for k in keys))
    actual = pairs(Counter(truth[k] for k in keys))
    return both / max(predicted, 1), both / max(actual, 1)


def test_identity_matches_the_sandbox_ground_truth(warehouse):
    """Against the people behind the sandbox's records: few false merges, few missed links."""
    from sandbox import Sandbox
    from tests.conftest import SANDBOX_NOW

    home, _ = warehouse
    sandbox = Sandbox(now=SANDBOX_NOW)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT business_id, source, source_id, customer_id FROM core.identity_map"
        ).fetchall()
    for business in ("cafe", "boutique", "studio"):
        truth = {f"{s}:{i}": p for (s, i), p in sandbox.truth(business).items()}
        clusters = {f"{s}:{i}": c for b, s, i, c in rows if b == business}
        precision, recall = _pairwise(clusters, truth)
        print(f"{business}: pairwise precision {precision:.4f} recall {recall:.4f}")
        assert precision >= 0.99, business
        assert recall >= 0.975, business


def test_catalog_crosswalk_bundles_and_modifiers_reach_their_accounts(warehouse):
    home, _ = warehouse
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        # Square's "Morning Combo" (no SKU) and "CNDL-CEDAR-8" reach our SKUs via the crosswalk.
        rules = dict(
            con.execute(
                "SELECT sku, any_value(sku_match_rule) FROM core.sales_lines "
                "WHERE sku IN ('CAF-CC', 'BTQ-CNDL') GROUP BY sku"
            ).fetchall()
        )
        assert rules == {"CAF-CC": "crosswalk:catalog_id", "BTQ-CNDL": "crosswalk:catalog_id"}
        parts = dict(
            con.execute(
                "SELECT part_kind || ':' || part_key, any_value(revenue_account) "
                "FROM core.sales_line_parts WHERE part_kind <> 'item' GROUP BY ALL"
            ).fetchall()
        )
        assert parts["component:CAF-DRP-12"] == "4000" and parts["component:CAF-CRS"] == "4000"
        assert parts["modifier:MOD-OAT-MILK"] == "4000"
        # Every line has a cost; a modifier adds its cost to the line's.
        assert (
            con.execute(
                "SELECT count(*) FILTER (WHERE cost_money IS NULL), count(*) FROM core.sales_lines"
            ).fetchone()[0]
            == 0
        )
        assert con.execute("SELECT count(*) FROM core.unmapped_items").fetchone() == (0,)


def test_tender_facts_cover_chargebacks_and_payouts_still_add_up(warehouse):
    home, _ = warehouse
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        kinds = dict(
            con.execute("SELECT fact_kind, count(*) FROM core.tender_facts GROUP BY ALL").fetchall()
        )
        assert kinds["payment"] > 500 and kinds["refund"] > 0 and kinds["dispute"] > 0
        assert con.execute(
            "SELECT count(*) FROM core.tender_facts WHERE clearing_account IS NULL"
        ).fetchone() == (0,)
        assert con.execute(
            "SELECT bool_and(is_chargeback = (fact_kind = 'dispute')) FROM core.tender_facts"
        ).fetchone() == (True,)
        disputed = con.execute(
            "SELECT count(*) FROM staging.stg_square__payout_entries WHERE entry_type = 'DISPUTE'"
        ).fetchone()[0]
        assert disputed > 0
        # A payout withholding a chargeback is still exactly the sum of its entries.
        mismatched = con.execute(
            "SELECT p.payout_id FROM staging.stg_square__payouts AS p "
            "JOIN staging.stg_square__payout_entries AS e USING (payout_id) "
            "GROUP BY p.payout_id, p.amount_money HAVING sum(e.net_money) <> p.amount_money"
        ).fetchall()
        assert mismatched == []


def test_reconciliation_matches_every_sandbox_payout_to_its_deposit(warehouse):
    home, _ = warehouse
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        payouts = con.execute(
            "SELECT count(*), sum(amount_money) FROM staging.stg_square__payouts"
        ).fetchone()
        assert payouts[0] >= 8
        # Sent on DAY_1, they arrived on DAY_2, whose bank feed is loaded; those sent on DAY_2
        # arrive on the 19th, beyond the loaded data: in transit, not open items.
        statuses = con.execute(
            "SELECT r.status, p.business_date, count(DISTINCT payout_id) "
            "FROM marts.reconciliation AS r JOIN staging.stg_square__payouts AS p "
            "USING (business_id, payout_id) GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        per_day = con.execute(
            "SELECT business_date, count(*) FROM staging.stg_square__payouts GROUP BY ALL "
            "ORDER BY ALL"
        ).fetchall()
        assert statuses == [
            ("in_transit", per_day[1][0], per_day[1][1]),
            ("matched", per_day[0][0], per_day[0][1]),
        ]
        assert [str(d) for d, _ in per_day] == [DAY_1, DAY_2]
        assert con.execute(
            "SELECT count(*) FROM marts.reconciliation WHERE exception IS NOT NULL"
        ).fetchone() == (0,)
        # The sandbox's bank feed names each payout: one deposit each, to the cent, net of fees.
        assert con.execute(
            "SELECT count(*) FROM marts.reconciliation WHERE status = 'matched' AND ("
            "match_rule <> 'reference' OR payouts_in_deposit <> 1 OR deposits_for_payout <> 1 "
            "OR deposited_amount <> expected_amount OR deposit_date <> arrival_date)"
        ).fetchone() == (0,)
        assert con.execute(
            "SELECT count(*) FROM marts.reconciliation WHERE net_amount <> expected_amount "
            "OR expected_amount <> gross_charges - refunds - fees + disputes + other_entries"
        ).fetchone() == (0,)
        assert con.execute(
            "SELECT sum(fees) > 0, sum(refunds) > 0, min(disputes) < 0 FROM marts.reconciliation"
        ).fetchone() == (True, True, True)
        # Every payout leaves the clearing accounts on the day it is sent, in the clearing
        # balances.
        assert con.execute("SELECT sum(settled) FROM marts.clearing_balances").fetchone() == (
            payouts[1],
        )


def test_payouts_move_through_transit_and_the_journal_agrees_with_the_clearing_mart(warehouse):
    home, _ = warehouse
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        # What is in transit at the end of DAY_2 is exactly the payouts sent but not arrived by
        # then; what reached the bank is exactly those that arrived on DAY_2.
        books = dict(
            con.execute(
                "SELECT account_code, sum(debit) - sum(credit) FROM marts.journal_lines "
                "WHERE account_code IN ('1080', '1090') GROUP BY ALL"
            ).fetchall()
        )
        in_transit, arrived = con.execute(
            "SELECT sum(amount_money) FILTER (WHERE arrival_date > ?), "
            "sum(amount_money) FILTER (WHERE arrival_date <= ?) FROM staging.stg_square__payouts",
            [DAY_2, DAY_2],
        ).fetchone()
        assert in_transit > 0 and arrived > 0
        assert (books["1080"], books["1090"]) == (in_transit, arrived)
        # The warehouse agrees with itself: for every business, location, payout clearing
        # account and posted day, the journal's running balance is the mart's closing balance.
        disagree = con.execute(
            """WITH clearing AS (
                   SELECT DISTINCT clearing_account FROM ref.tenders
                   WHERE settles_in_payout = 'true'
               ),
               mart AS (
                   SELECT business_id, location_id, clearing_account, business_date,
                          sum(closing) AS closing
                   FROM marts.clearing_balances
                   WHERE clearing_account IN (SELECT * FROM clearing)
                   GROUP BY ALL
               ),
               days AS (
                   SELECT DISTINCT business_id, location_id, business_date
                   FROM marts.journal_entries
               ),
               journal AS (
                   SELECT d.business_id, d.location_id, c.clearing_account, d.business_date,
                          coalesce(sum(l.debit - l.credit), 0) AS closing
                   FROM days AS d
                   CROSS JOIN clearing AS c
                   LEFT JOIN marts.journal_lines AS l
                       ON l.location_id = d.location_id AND l.account_code = c.clearing_account
                       AND l.business_date <= d.business_date
                   GROUP BY ALL
               )
               SELECT j.*, m.closing
               FROM journal AS j
               LEFT JOIN mart AS m USING (business_id, location_id, clearing_account,
                                          business_date)
               WHERE m.closing IS DISTINCT FROM j.closing
               ORDER BY ALL"""
        ).fetchall()
        compared = con.execute(
            "SELECT count(DISTINCT (location_id, business_date)) FROM marts.journal_entries"
        ).fetchone()[0]
        assert compared >= 6 and disagree == []


def test_beancount_export_passes_bean_check(warehouse):
    home, _ = warehouse
    ledger = home / "exports" / "ledger.beancount"
    text = ledger.read_text()
    result = bean_check(ledger)
    assert result.returncode == 0, result.stdout + result.stderr
    # Every journal entry is a transaction, and the payouts of both days are asserted.
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        entries = con.execute("SELECT count(*) FROM marts.journal_entries").fetchone()[0]
    assert text.count(" txn ") == entries > 0
    assert " balance Assets:Cafe:1010-Square-Clearing " in text
    assert " balance Assets:Boutique:1010-Square-Clearing " in text


def test_beancount_export_reads_back_as_the_journal(warehouse):
    """Parsed by Beancount, the file is the journal line for line: entry, date, account, amount."""
    from beancount import loader
    from beancount.core import data

    home, _ = warehouse
    parsed, errors, _ = loader.load_file(str(home / "exports" / "ledger.beancount"))
    assert errors == []
    exported = sorted(
        (
            t.meta["entry_id"],
            t.date,
            p.account.split(":")[1].lower(),
            p.account.split(":")[-1].split("-")[0],
            p.units.number,
        )
        for t in parsed
        if isinstance(t, data.Transaction)
        for p in t.postings
    )
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        journal = con.execute(
            "SELECT l.entry_id, e.business_date, e.business_id, l.account_code, "
            "l.debit - l.credit FROM marts.journal_lines AS l JOIN marts.journal_entries AS e "
            "USING (entry_id) ORDER BY ALL"
        ).fetchall()
    assert exported == journal
