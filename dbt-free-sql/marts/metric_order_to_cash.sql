-- Order-to-cash per location (docs/metrics.md): for every card payment that settles in a Square
-- payout, days from the sale (the payment's local business date) to the payout's arrival date,
-- from arrival to the bank deposit it was matched to (marts.reconciliation, status matched), and
-- in total; medians, by the sale's day and ISO week (Monday). A payment whose payout is not yet
-- matched counts in the first stage only. Grain column: 'day' or 'week'.
WITH deposits AS (
    SELECT business_id, payout_id, arrival_date, max(deposit_date) AS deposit_date,
           bool_and(status = 'matched') AS matched
    FROM marts.reconciliation
    GROUP BY ALL
),
obs AS (
    SELECT
        f.business_id,
        f.location_id,
        f.business_date,
        d.arrival_date - f.business_date AS to_payout,
        CASE WHEN d.matched THEN d.deposit_date - d.arrival_date END AS to_deposit,
        CASE WHEN d.matched THEN d.deposit_date - f.business_date END AS total
    FROM core.tender_facts AS f
    JOIN deposits AS d ON d.business_id = f.business_id AND d.payout_id = f.payout_id
    WHERE f.fact_kind = 'payment'
),
grains AS (
    SELECT
        g.grain,
        period_start(g.grain, o.business_date) AS period_start,
        o.*
    FROM obs AS o
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
),
agg AS (
    SELECT
        grain, period_start, business_id, location_id,
        median(to_payout) AS to_payout,
        median(to_deposit) AS to_deposit,
        median(total) AS total
    FROM grains
    GROUP BY ALL
)
SELECT grain, period_start, business_id, location_id, metric,
       CAST(round(value, 2) AS DECIMAL(18, 2)) AS value
FROM agg
UNPIVOT INCLUDE NULLS (value FOR metric IN (
    to_payout AS 'o2c_sale_to_payout_days',
    to_deposit AS 'o2c_payout_to_deposit_days',
    total AS 'o2c_total_days'
))
