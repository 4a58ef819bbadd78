"""Daily journal per location: load the day's facts, post them, replace the partition."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb

from assets.partitions import DAILY, WAREHOUSE_POOL
from assets.scope import in_scope
from pipeline.accounting.adjustments import PostedEntry, entries_to_write
from pipeline.accounting.posting import (
    OrderTotals,
    PostingAccounts,
    RevenuePart,
    SaleLine,
    TenderFact,
    post_day,
)
from pipeline.accounting.settlement import DisputeMovement, Payout, post_settlement
from pipeline.kernel.money import to_decimal
from pipeline.store import audit
from pipeline.store.connection import insert_many
from resources.warehouse import WarehouseResource

ENTRIES = dg.AssetKey(["marts", "journal_entries"])
LINES = dg.AssetKey(["marts", "journal_lines"])
UPSTREAM = [
    dg.AssetKey(["core", "sales_lines"]),
    dg.AssetKey(["core", "sales_line_parts"]),
    dg.AssetKey(["core", "unmapped_items"]),
    dg.AssetKey(["ref", "lifecycle_states"]),
    dg.AssetKey(["core", "tender_facts"]),
    dg.AssetKey(["staging", "stg_square__payouts"]),
    dg.AssetKey(["staging", "stg_square__payout_entries"]),
    dg.AssetKey(["staging", "stg_square__disputes"]),
    dg.AssetKey(["ref", "tenders"]),
    dg.AssetKey(["ref", "refund_reasons"]),
    dg.AssetKey(["staging", "stg_square__orders"]),
    dg.AssetKey(["ref", "posting_accounts"]),
    dg.AssetKey(["ref", "locations"]),
]

DDL = """
CREATE TABLE IF NOT EXISTS marts.journal_entries (
    entry_id VARCHAR PRIMARY KEY, business_id VARCHAR NOT NULL, location_id VARCHAR NOT NULL,
    business_date DATE NOT NULL, kind VARCHAR NOT NULL, memo VARCHAR NOT NULL,
    total DECIMAL(18, 2) NOT NULL
);
CREATE TABLE IF NOT EXISTS marts.journal_lines (
    entry_id VARCHAR NOT NULL, line_no INTEGER NOT NULL, account_code VARCHAR NOT NULL,
    debit DECIMAL(18, 2) NOT NULL, credit DECIMAL(18, 2) NOT NULL, memo VARCHAR,
    business_date DATE NOT NULL, location_id VARCHAR NOT NULL,
    PRIMARY KEY (entry_id, line_no)
);
CREATE TABLE IF NOT EXISTS marts.posting_exceptions (
    business_date DATE NOT NULL, location_id VARCHAR NOT NULL, object_id VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);
-- History is append-only: an adjusting entry is dated when it is posted and says which day
-- (activity_date) and which original entry it corrects.
ALTER TABLE marts.journal_entries ADD COLUMN IF NOT EXISTS activity_date DATE;
ALTER TABLE marts.journal_entries ADD COLUMN IF NOT EXISTS adjusts_entry_id VARCHAR;
ALTER TABLE marts.journal_entries ADD COLUMN IF NOT EXISTS posted_at TIMESTAMPTZ;
UPDATE marts.journal_entries SET activity_date = business_date WHERE activity_date IS NULL;
"""
ENTRY_COLUMNS = (
    "entry_id, business_id, location_id, business_date, kind, memo, total, activity_date, "
    "adjusts_entry_id, posted_at"
)


def _cents(column: str) -> str:
    return f"CAST({column} * 100 AS BIGINT)"


# A return order's refund reason: what staff entered in the refund-reason form, else the POS's
# free-text reason as reference/refund_reasons.csv maps it. One reason per return order (its
# first refund's).
_RETURN_REASONS = """
SELECT DISTINCT ON (f.business_id, f.order_id) f.business_id, f.order_id, rr.label,
       rr.account_code
FROM core.tender_facts AS f
LEFT JOIN ops.refund_reasons AS form
    ON form.refund_id = f.fact_id AND form.business_id = f.business_id
JOIN ref.refund_reasons AS rr
    ON rr.reason = coalesce(
        form.reason,
        (SELECT min(p.reason) FROM ref.refund_reasons AS p
         WHERE p.pos_reasons <> ''
           AND list_contains(string_split(p.pos_reasons, '|'), f.refund_reason))
    )
WHERE f.fact_kind = 'refund'
  -- Only the day's return orders: this runs for every location and day.
  AND f.order_id IN (
      SELECT order_id FROM core.sales_lines
      WHERE business_date = ? AND location_id = ? AND line_kind = 'return'
  )
ORDER BY f.business_id, f.order_id, f.fact_id
"""


def load_day(con: duckdb.DuckDBPyConnection, day: date, location_id: str):
    params = [day, location_id]
    parts: dict[tuple[str, str], list[RevenuePart]] = {}
    for order_id, line_uid, kind, key, account, amount, share in con.execute(
        f"""SELECT order_id, line_uid, part_kind, part_key, revenue_account,
                   {_cents("amount_money")}, revenue_share
            FROM core.sales_line_parts WHERE business_date = ? AND location_id = ?
            ORDER BY order_id, line_uid, part_no""",
        params,
    ).fetchall():
        parts.setdefault((order_id, line_uid), []).append(
            RevenuePart(kind, key, account, amount, share)
        )
    lines = [
        SaleLine(
            *row, parts=tuple(parts.get((row[0], line_uid), ())), reason=reason, return_account=acct
        )
        for *row, line_uid, reason, acct in con.execute(
            f"""SELECT l.order_id, l.line_kind, l.revenue_account, l.tax_account,
                       {_cents("l.gross_money")}, {_cents("l.discount_money")},
                       {_cents("l.tax_money")}, {_cents("l.total_money")}, l.sku, l.line_uid,
                       r.label, r.account_code
                FROM core.sales_lines AS l
                LEFT JOIN ({_RETURN_REASONS}) AS r
                    ON l.line_kind = 'return' AND r.order_id = l.order_id
                    AND r.business_id = l.business_id
                WHERE l.business_date = ? AND l.location_id = ?
                ORDER BY l.order_id, l.line_uid""",
            params * 2,  # the reasons' day filter, then the lines'
        ).fetchall()
    ]
    tenders = [
        TenderFact(*row)
        for row in con.execute(
            f"""SELECT fact_id, fact_kind, order_id, clearing_account, fee_account,
                       {_cents("amount_money")}, {_cents("tip_money")}, {_cents("fee_money")},
                       tender_type
                FROM core.tender_facts
                -- Chargebacks are not posted yet (issue #4): they belong to no order's total.
                WHERE business_date = ? AND location_id = ? AND fact_kind IN ('payment', 'refund')
                ORDER BY fact_kind, fact_id""",
            params,
        ).fetchall()
    ]
    orders = [
        OrderTotals(*row)
        for row in con.execute(
            f"""SELECT o.order_id, {_cents("o.service_charge_money")}, {_cents("o.tip_money")},
                       {_cents("o.return_tip_money")}
                FROM staging.stg_square__orders AS o
                JOIN ref.lifecycle_states AS ls
                    ON ls.system = 'square' AND ls.entity = 'order' AND ls.vendor_state = o.state
                WHERE o.business_date = ? AND o.location_id = ? AND ls.state = 'completed'""",
            params,
        ).fetchall()
    ]
    return lines, tenders, orders


# The clearing account of a payout's entries, from the fact each entry settles; an entry with no
# fact (a processor adjustment) goes to the account the payout's other entries use.
_PAYOUT_PARTS = f"""
WITH parts AS (
    SELECT p.payout_id, e.entry_type, e.dispute_id, f.clearing_account, e.net_money
    FROM staging.stg_square__payouts AS p
    JOIN staging.stg_square__payout_entries AS e
        ON e.payout_id = p.payout_id AND e.business_id = p.business_id
    LEFT JOIN core.tender_facts AS f
        ON f.business_id = e.business_id AND f.payout_entry_id = e.payout_entry_id
    WHERE p.business_date = ? AND p.location_id = ? AND p.status IS DISTINCT FROM 'FAILED'
)
SELECT payout_id, entry_type, dispute_id,
       coalesce(clearing_account,
                min(clearing_account) OVER (PARTITION BY payout_id),
                (SELECT min(clearing_account) FROM ref.tenders WHERE settles_in_payout = 'true')),
       {_cents("net_money")}
FROM parts
ORDER BY payout_id, entry_type, dispute_id
"""


def load_settlement(con: duckdb.DuckDBPyConnection, day: date, location_id: str):
    """The day's payouts (per clearing account) and dispute money movements."""
    paid: dict[tuple[str, str], int] = {}
    disputes: list[DisputeMovement] = []
    for payout_id, entry_type, dispute_id, clearing, cents in con.execute(
        _PAYOUT_PARTS, [day, location_id]
    ).fetchall():
        paid[(payout_id, clearing)] = paid.get((payout_id, clearing), 0) + cents
        if entry_type == "DISPUTE":
            disputes.append(DisputeMovement(dispute_id, clearing, cents))
    # A lost or accepted dispute is decided on the day Square last updated it.
    for dispute_id, clearing, cents in con.execute(
        f"""SELECT d.dispute_id, f.clearing_account, {_cents("d.amount_money")}
            FROM staging.stg_square__disputes AS d
            JOIN ref.locations AS l ON l.location_id = d.location_id
            LEFT JOIN core.tender_facts AS f
                ON f.business_id = d.business_id AND f.fact_kind = 'dispute'
                AND f.fact_id = d.dispute_id
            WHERE d.location_id = ? AND d.is_chargeback AND d.state IN ('LOST', 'ACCEPTED')
              AND CAST(timezone(l.timezone, d.updated_at) AS DATE) = ?
              -- A later touch to a decided dispute moves updated_at; its loss stays where it
              -- was first posted.
              AND NOT EXISTS (
                  SELECT 1 FROM marts.journal_lines AS jl
                  JOIN marts.journal_entries AS je USING (entry_id)
                  WHERE je.location_id = d.location_id AND je.activity_date <> ?
                    AND jl.memo = 'Lost ' || d.dispute_id
              )
            ORDER BY d.dispute_id""",
        [location_id, day, day],
    ).fetchall():
        disputes.append(DisputeMovement(dispute_id, clearing, cents, lost=True))
    payouts = [Payout(pid, clearing, cents) for (pid, clearing), cents in paid.items() if cents]
    return payouts, disputes


def unmapped_on(con: duckdb.DuckDBPyConnection, day: date, locations: list[str]) -> list[str]:
    """What the reference dictionaries do not map on this day at these locations."""
    return [
        message
        for (message,) in con.execute(
            "SELECT message FROM core.unmapped_items "
            "WHERE business_date = ? AND location_id IN (SELECT unnest(?)) ORDER BY ALL",
            [day, locations],
        ).fetchall()
    ]


def posted_entries(
    con: duckdb.DuckDBPyConnection, day: date, locations: list[str]
) -> list[PostedEntry]:
    """What the ledger already holds for these locations' business day, per entry."""
    amounts: dict[str, dict[str, int]] = {}
    heads = con.execute(
        "SELECT entry_id, business_id, location_id, kind, activity_date, adjusts_entry_id "
        "FROM marts.journal_entries WHERE activity_date = ? AND location_id IN (SELECT unnest(?)) "
        "ORDER BY entry_id",
        [day, locations],
    ).fetchall()
    for entry_id, account, cents in con.execute(
        f"""SELECT l.entry_id, l.account_code, {_cents("(sum(l.debit) - sum(l.credit))")}
            FROM marts.journal_lines AS l JOIN marts.journal_entries AS e USING (entry_id)
            WHERE e.activity_date = ? AND e.location_id IN (SELECT unnest(?))
            GROUP BY ALL""",
        [day, locations],
    ).fetchall():
        amounts.setdefault(entry_id, {})[account] = cents
    return [PostedEntry(*head[:5], head[5], amounts.get(head[0], {})) for head in heads]


def _write(con, day: date, locations: list[str], entries, held, run_id: str) -> None:
    """Append the new entries (never touching posted ones) and replace the day's exceptions."""
    from pipeline.store.contracts import validate_table

    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "DELETE FROM marts.posting_exceptions WHERE business_date = ? "
            "AND location_id IN (SELECT unnest(?))",
            [day, locations],
        )
        insert_many(
            con,
            f"INSERT INTO marts.journal_entries ({ENTRY_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, money(?), ?, ?, now())",
            [
                (
                    e.entry_id,
                    e.business_id,
                    e.location_id,
                    e.business_date,
                    e.kind,
                    e.memo,
                    e.total_debit,
                    e.activity_date,
                    e.adjusts_entry_id,
                )
                for e in entries
            ],
        )
        insert_many(
            con,
            "INSERT INTO marts.journal_lines VALUES (?, ?, ?, money(?), money(?), ?, ?, ?)",
            [
                (
                    e.entry_id,
                    n,
                    line.account_code,
                    line.debit,
                    line.credit,
                    line.memo,
                    e.business_date,
                    e.location_id,
                )
                for e in entries
                for n, line in enumerate(e.lines, start=1)
            ],
        )
        insert_many(
            con,
            "INSERT INTO marts.posting_exceptions VALUES (?, ?, ?, ?)",
            [(day, location, h.order_id, h.reason) for location, h in held],
        )
        if entries:
            audit.record(
                con,
                "post",
                f"marts.journal/{day.isoformat()}",
                (
                    (e.entry_id, [(x.account_code, x.debit, x.credit) for x in e.lines])
                    for e in entries
                ),
                run_id=run_id,
            )
        # Only what this run wrote: posted entries were validated when they were written.
        ids = [e.entry_id for e in entries]
        for table in ("marts.journal_entries", "marts.journal_lines") if ids else ():
            validate_table(con, table, where="WHERE entry_id IN (SELECT unnest(?))", params=[ids])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def posting_date(timezone: str) -> date:
    """Today in the location's time zone, by the pipeline's clock: adjusting entries' date."""
    from pipeline.kernel.timeutil import business_date
    from resources.world import pipeline_now

    return business_date(pipeline_now(), timezone)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ENTRIES,
            deps=UPSTREAM,
            kinds={"duckdb", "python"},
            description="One balanced entry per location, business date and kind.",
        ),
        dg.AssetSpec(
            LINES,
            deps=UPSTREAM,
            kinds={"duckdb", "python"},
            description="Debit and credit lines of the journal entries.",
        ),
    ],
    partitions_def=DAILY,
    group_name="marts",
    pool=WAREHOUSE_POOL,
)
def daily_journal(context, warehouse: WarehouseResource):
    """Sales, returns, fees, payouts and chargebacks of each location's business day, to the cent.

    Append-only: a day is posted once; a re-run with changed facts appends an adjusting entry
    on the posting date (pipeline/adjustments.py), a re-run with unchanged facts writes nothing.
    """
    day = date.fromisoformat(context.partition_key)
    with warehouse.connect() as con:
        entries, held = post_business_day(con, day, context.run_id)
    if held:
        context.log.warning(
            f"{len(held)} orders held out of the journal; see marts.posting_exceptions"
        )
    for key, metadata in journal_metadata(entries, held).items():
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)


def post_business_day(con: duckdb.DuckDBPyConnection, day: date, run_id: str):
    """Post every in-scope location's day (append-only); returns (new entries, held orders)."""
    con.execute(DDL)
    rows = con.execute("SELECT role, account_code, cap_cents FROM ref.posting_accounts").fetchall()
    cap = next((int(c) for role, _, c in rows if role == "rounding" and c), 0)
    accounts = PostingAccounts.from_roles({r: a for r, a, _ in rows}, rounding_cap=cap)
    locations = con.execute(
        "SELECT business_id, location_id, timezone FROM ref.locations "
        "WHERE business_id IN (SELECT unnest(?)) ORDER BY location_id",
        [in_scope()],
    ).fetchall()
    # Postings never guess an account: a day with anything unmapped is refused whole,
    # so it posts complete once ops has mapped the items (its earlier postings stay).
    unmapped = unmapped_on(con, day, [loc for _, loc, _ in locations])
    if unmapped:
        listing = "; ".join(unmapped[:10]) + (" ..." if len(unmapped) > 10 else "")
        raise dg.Failure(
            description=f"{day} not posted: {len(unmapped)} unmapped item(s): {listing}. "
            "Map them in reference/ (docs/reference-data.md) and re-run.",
            metadata={"unmapped": "\n".join(unmapped)},
        )
    entries, held = [], []
    for business_id, location_id, timezone in locations:
        lines, tenders, orders = load_day(con, day, location_id)
        day_entries, day_held = post_day(
            business_id, location_id, day, lines, tenders, orders, accounts
        )
        payouts, disputes = load_settlement(con, day, location_id)
        day_entries += post_settlement(business_id, location_id, day, payouts, disputes, accounts)
        posted = posted_entries(con, day, [location_id])
        entries += entries_to_write(day_entries, posted, posting_date(timezone))
        held += [(location_id, h) for h in day_held]
    _write(con, day, [loc for _, loc, _ in locations], entries, held, run_id)
    return entries, held


def journal_metadata(entries, held) -> dict[dg.AssetKey, dict]:
    return {
        ENTRIES: {
            "entries": len(entries),
            "adjusting_entries": sum(1 for e in entries if e.adjusts_entry_id),
            "held_out": len(held),
            "total_debit": str(to_decimal(sum(e.total_debit for e in entries))),
        },
        LINES: {"lines": sum(len(e.lines) for e in entries)},
    }
