-- The scorecard's first two operational metrics per business (location_id NULL):
-- sync_error_rate_pct, the POS orders, payments and refunds that ended in ops.dead_letter per
-- 100 received, and data_freshness_hours, the age of the newest of their extracts on the run's
-- clock (getvariable('pipeline_now'), set by the model builder; else now()). A week's rate is
-- recomputed from the week's counts; its freshness is its worst (highest) day.
-- Per connector and direction, and per source, see metric_sync_errors and metric_freshness.
WITH received AS (
    SELECT business_id, business_date, count(*) AS n, max(_extracted_at) AS last_extract
    FROM (
        SELECT business_id, business_date, _extracted_at FROM raw.square_orders
        UNION ALL
        SELECT business_id, business_date, _extracted_at FROM raw.square_payments
        UNION ALL
        SELECT business_id, business_date, _extracted_at FROM raw.square_refunds
    )
    GROUP BY ALL
),
-- Extract-stage dead letters never reached raw, staging-stage ones are in raw already, so only
-- the former add to the records received.
dead AS (
    SELECT
        business_id,
        TRY_CAST(partition_key AS DATE) AS business_date,
        count(*) FILTER (WHERE stage LIKE 'extract:%') AS at_extract,
        count(*) AS n
    FROM ops.dead_letter
    WHERE source = 'square' AND entity IN ('orders', 'payments', 'refunds')
        AND TRY_CAST(partition_key AS DATE) IS NOT NULL
    GROUP BY ALL
),
days AS (
    SELECT
        r.business_id,
        r.business_date,
        r.n + coalesce(d.at_extract, 0) AS received,
        coalesce(d.n, 0) AS dead,
        epoch(coalesce(getvariable('pipeline_now'), now()) - r.last_extract) / 3600.0 AS age
    FROM received AS r
    LEFT JOIN dead AS d USING (business_id, business_date)
),
grains AS (
    SELECT
        g.grain,
        period_start(g.grain, d.business_date) AS period_start,
        d.*
    FROM days AS d
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
),
agg AS (
    SELECT
        grain, period_start, business_id,
        CAST(round(100.0 * sum(dead) / sum(received), 2) AS DECIMAL(18, 2)) AS error_rate,
        CAST(round(max(age), 2) AS DECIMAL(18, 2)) AS freshness
    FROM grains
    GROUP BY ALL
)
SELECT grain, period_start, business_id, CAST(NULL AS VARCHAR) AS location_id, metric, value
FROM agg
UNPIVOT INCLUDE NULLS (value FOR metric IN (
    error_rate AS 'sync_error_rate_pct',
    freshness AS 'data_freshness_hours'
))
