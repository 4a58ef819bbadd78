-- Reconciliation latency per location (docs/metrics.md): for each payout matched to a bank
-- deposit (marts.reconciliation status matched), days from its arrival date to the latest
-- deposit that settles it, as a median by arrival day and ISO week; and the payouts still open
-- (unmatched or partial) that arrived then. In-transit and failed payouts are in neither.
WITH payouts AS (
    SELECT business_id, location_id, payout_id, arrival_date,
           max(deposit_date) AS deposit_date, min(status) AS status
    FROM marts.reconciliation
    GROUP BY ALL
),
grains AS (
    SELECT
        g.grain,
        period_start(g.grain, p.arrival_date) AS period_start,
        p.*
    FROM payouts AS p
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
    WHERE p.status IN ('matched', 'unmatched', 'partial')
),
agg AS (
    SELECT
        grain, period_start, business_id, location_id,
        median(deposit_date - arrival_date) FILTER (WHERE status = 'matched') AS latency,
        count(*) FILTER (WHERE status IN ('unmatched', 'partial')) AS open_payouts
    FROM grains
    GROUP BY ALL
)
SELECT grain, period_start, business_id, location_id, metric,
       CAST(round(value, 2) AS DECIMAL(18, 2)) AS value
FROM agg
UNPIVOT INCLUDE NULLS (value FOR metric IN (
    latency AS 'reconciliation_latency_days',
    open_payouts AS 'payouts_unreconciled'
))
