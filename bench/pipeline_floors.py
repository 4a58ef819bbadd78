"""Floors: the result a stage produces, from one hand-written DuckDB statement.

Each floor is timed beside the real stage in the same process and checked against it: the two
fingerprints (row count and a sum of row hashes over the columns that matter) must be equal, or
the ratio means nothing and the bench says so. A floor reads the same inputs as the real model
(raw.* for staging, staging.* for core, core.* for marts and posting) and writes one table.

The posting floor covers the SALES and FEES entries (revenue, discounts, tax, tips, service
charges, tenders, processor fees) per location, day and account, and takes a bundle's revenue
account from its parts when they share one (true of the cafe, the bench's business). It leaves out
returns and settlement, which the real posting also does: the posting ratio is therefore a
little pessimistic for the real code, never flattering. Location-days the real posting held
(marts.posting_exceptions) are left out of the comparison on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Floor:
    stage: str
    model: str  # the real model (or step) whose result the floor reproduces
    path: tuple[str, ...]  # the real models timed against the floor: the way from its inputs
    sql: str  # one statement: CREATE TABLE bench.floor_<stage> AS ...
    real: str  # a SELECT of the fingerprint columns from the real result
    floor: str  # the same from the floor's table


def fingerprint(select: str) -> str:
    """Row count and the sum of the rows' hashes: equal for equal multisets of rows."""
    return f"SELECT count(*), coalesce(sum(CAST(row_hash AS HUGEINT)), 0) FROM ({select})"


def _fp_hash(columns: str, source: str, where: str = "") -> str:
    return f"SELECT hash({columns}) AS row_hash FROM {source} AS src {where}"


# Location-days the real posting held are compared on neither side.
def _not_held(day: str) -> str:
    return (
        "WHERE NOT EXISTS (SELECT 1 FROM marts.posting_exceptions AS x "
        f"WHERE x.location_id = src.location_id AND x.business_date = src.{day})"
    )


STAGING = Floor(
    "staging",
    "staging.stg_square__order_lines",
    ("staging.stg_square__orders", "staging.stg_square__order_lines"),
    """CREATE OR REPLACE TABLE bench.floor_staging AS
WITH o AS (SELECT record_id, business_id, location_id, business_date, payload
           FROM raw.square_orders)
SELECT record_id AS order_id, line ->> '$.uid' AS line_uid, line_kind, business_id, location_id,
       business_date, TRY_CAST(line ->> '$.quantity' AS DECIMAL(18, 3)) AS quantity,
       CAST(line ->> '$.total_money.amount' AS BIGINT) AS total_cents
FROM (
    SELECT *, 'sale' AS line_kind, unnest(CAST(payload -> '$.line_items' AS JSON[])) AS line
    FROM o
    UNION ALL
    SELECT * EXCLUDE (ret), 'return',
           unnest(CAST(ret -> '$.return_line_items' AS JSON[]))
    FROM (SELECT *, unnest(CAST(payload -> '$.returns' AS JSON[])) AS ret FROM o)
)""",
    _fp_hash(
        "order_id, line_uid, line_kind, location_id, business_date, quantity, "
        "CAST(total_money * 100 AS BIGINT)",
        "staging.stg_square__order_lines",
    ),
    _fp_hash(
        "order_id, line_uid, line_kind, location_id, business_date, quantity, total_cents",
        "bench.floor_staging",
    ),
)

CORE = Floor(
    "core",
    "core.sales_lines",
    ("core.products", "core.sales_lines"),
    """CREATE OR REPLACE TABLE bench.floor_core AS
SELECT l.order_id, l.line_uid, l.line_kind, l.location_id, l.business_date,
       coalesce(xi.sku, p.sku, xn.sku) AS sku, tx.payable_account AS tax_account, l.total_money
FROM staging.stg_square__order_lines AS l
JOIN staging.stg_square__orders AS o ON o.order_id = l.order_id AND o.business_id = l.business_id
JOIN ref.lifecycle_states AS ls
    ON ls.system = 'square' AND ls.entity = 'order' AND ls.vendor_state = o.state
    AND ls.state = 'completed'
LEFT JOIN staging.stg_square__catalog_variations AS v
    ON v.business_id = l.business_id AND v.variation_id = l.variation_id
LEFT JOIN ref.pos_crosswalk AS xi
    ON xi.business_id = l.business_id AND xi.pos_catalog_id = l.variation_id
LEFT JOIN ref.products AS p ON p.business_id = l.business_id AND p.sku = v.sku
LEFT JOIN ref.pos_crosswalk AS xn
    ON xn.business_id = l.business_id AND l.variation_id IS NULL AND xn.pos_name = l.item_name
LEFT JOIN ref.products AS pr
    ON pr.business_id = l.business_id AND pr.sku = coalesce(xi.sku, p.sku, xn.sku)
LEFT JOIN ref.locations AS loc ON loc.location_id = l.location_id
LEFT JOIN ref.taxes AS tx
    ON tx.jurisdiction = loc.jurisdiction AND tx.tax_category = pr.tax_category
    AND l.business_date >= CAST(tx.effective_from AS DATE)
    AND (tx.effective_to IS NULL OR l.business_date < CAST(tx.effective_to AS DATE))""",
    _fp_hash(
        "order_id, line_uid, line_kind, location_id, business_date, sku, tax_account, total_money",
        "core.sales_lines",
    ),
    _fp_hash(
        "order_id, line_uid, line_kind, location_id, business_date, sku, tax_account, total_money",
        "bench.floor_core",
    ),
)

# The sales metrics (orders, net sales, refund rate) per location, by day and by ISO week, as
# marts.metric_sales computes them; here one GROUPING SETS pass instead of a grains CTE.
MARTS = Floor(
    "marts",
    "marts.metric_sales (orders, net_sales, refund_rate_pct per location-day and -week)",
    ("marts.metric_sales",),
    """CREATE OR REPLACE TABLE bench.floor_marts AS
WITH agg AS (
    SELECT CASE WHEN grouping(business_date) = 0 THEN 'day' ELSE 'week' END AS grain,
           coalesce(business_date, week_start) AS period_start, location_id,
           count(DISTINCT order_id) FILTER (WHERE line_kind = 'sale') AS orders,
           coalesce(sum(net) FILTER (WHERE line_kind = 'sale'), 0) AS sold,
           coalesce(sum(net) FILTER (WHERE line_kind = 'return'), 0) AS returned
    FROM (
        SELECT business_id, location_id, business_date, order_id, line_kind,
               CAST(date_trunc('week', business_date) AS DATE) AS week_start,
               gross_money - discount_money AS net
        FROM core.sales_lines
    )
    GROUP BY GROUPING SETS ((business_id, location_id, business_date),
                            (business_id, location_id, week_start))
)
SELECT grain, period_start, location_id, metric, value
FROM (
    SELECT grain, period_start, location_id,
           CAST(orders AS DECIMAL(18, 2)) AS orders,
           CAST(sold - returned AS DECIMAL(18, 2)) AS net_sales,
           CAST(round(100.0 * returned / nullif(sold, 0), 2) AS DECIMAL(18, 2)) AS refund_rate_pct
    FROM agg
) UNPIVOT INCLUDE NULLS (value FOR metric IN (orders, net_sales, refund_rate_pct))""",
    _fp_hash(
        "grain, period_start, location_id, metric, CAST(round(value * 100) AS BIGINT)",
        "marts.metric_sales",
    ),
    _fp_hash(
        "grain, period_start, location_id, metric, CAST(round(value * 100) AS BIGINT)",
        "bench.floor_marts",
    ),
)

# Signed cents per (location, day, account), debit positive, as the SALES and FEES entries post.
POSTING = Floor(
    "posting",
    "post_business_day (SALES and FEES entries)",
    ("posting",),
    """CREATE OR REPLACE TABLE bench.floor_posting AS
WITH pa AS (SELECT role, account_code FROM ref.posting_accounts),
lines AS (
    SELECT l.*, coalesce(l.revenue_account, bp.account) AS account
    FROM core.sales_lines AS l
    LEFT JOIN (SELECT business_id, order_id, line_uid, min(revenue_account) AS account
               FROM core.sales_line_parts GROUP BY ALL) AS bp
        USING (business_id, order_id, line_uid)
),
sold AS (SELECT DISTINCT business_id, order_id FROM lines WHERE line_kind = 'sale'),
tenders AS (
    SELECT f.* FROM core.tender_facts AS f
    WHERE f.fact_kind IN ('payment', 'refund')
),
moves AS (
    SELECT location_id, business_date, account, -gross_money AS amount
    FROM lines WHERE line_kind = 'sale'
    UNION ALL
    SELECT location_id, business_date, (SELECT account_code FROM pa WHERE role = 'discounts'),
           discount_money
    FROM lines WHERE line_kind = 'sale' AND discount_money <> 0
    UNION ALL
    SELECT location_id, business_date, tax_account, -tax_money
    FROM lines WHERE line_kind = 'sale' AND tax_money <> 0
    UNION ALL
    SELECT o.location_id, o.business_date, pa.account_code, -o.tip_money
    FROM staging.stg_square__orders AS o JOIN sold USING (business_id, order_id)
    JOIN pa ON pa.role = 'tips_payable' WHERE o.tip_money <> 0
    UNION ALL
    SELECT o.location_id, o.business_date, pa.account_code, -o.service_charge_money
    FROM staging.stg_square__orders AS o JOIN sold USING (business_id, order_id)
    JOIN pa ON pa.role = 'service_charges' WHERE o.service_charge_money <> 0
    UNION ALL
    SELECT t.location_id, t.business_date, t.clearing_account, t.amount_money + t.tip_money
    FROM tenders AS t JOIN sold USING (business_id, order_id)
    UNION ALL
    SELECT location_id, business_date, fee_account, fee_money FROM tenders WHERE fee_money <> 0
    UNION ALL
    SELECT location_id, business_date, clearing_account, -fee_money
    FROM tenders WHERE fee_money <> 0
)
SELECT location_id, business_date, account, CAST(sum(amount) * 100 AS BIGINT) AS cents
FROM moves GROUP BY ALL HAVING sum(amount) <> 0""",
    _fp_hash(
        "location_id, activity_date, account_code, cents",
        """(SELECT e.location_id, e.activity_date, l.account_code,
                   CAST((sum(l.debit) - sum(l.credit)) * 100 AS BIGINT) AS cents
            FROM marts.journal_lines AS l JOIN marts.journal_entries AS e USING (entry_id)
            WHERE e.kind IN ('SALES', 'FEES') GROUP BY ALL HAVING cents <> 0)""",
        _not_held("activity_date"),
    ),
    _fp_hash(
        "location_id, business_date, account, cents",
        "bench.floor_posting",
        _not_held("business_date"),
    ),
)

FLOORS = {f.stage: f for f in (STAGING, CORE, MARTS, POSTING)}
