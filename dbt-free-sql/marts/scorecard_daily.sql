-- The daily scorecard analysts query: long format, one row per day, place and metric.
-- orders and net_sales per location; sync_error_rate_pct (POS orders, payments and refunds
-- that ended in ops.dead_letter per 100 received) and data_freshness_hours (age of the newest
-- extract) per business, with location_id NULL.
WITH sales AS (
    SELECT
        business_id,
        location_id,
        business_date,
        count(DISTINCT order_id) FILTER (WHERE line_kind = 'sale') AS orders,
        coalesce(sum(gross_money - discount_money) FILTER (WHERE line_kind = 'sale'), 0)
        - coalesce(sum(gross_money - discount_money) FILTER (WHERE line_kind = 'return'), 0)
            AS net_sales
    FROM core.sales_lines
    GROUP BY ALL
),
received AS (
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
-- Dead letters of the same three entities: extract-stage ones never reached raw, staging-stage
-- ones are in raw already, so only the former add to the records received.
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
metrics AS (
    SELECT business_date, business_id, location_id, 'orders' AS metric,
           CAST(orders AS DECIMAL(18, 2)) AS value
    FROM sales
    UNION ALL
    SELECT business_date, business_id, location_id, 'net_sales', CAST(net_sales AS DECIMAL(18, 2))
    FROM sales
    UNION ALL
    SELECT r.business_date, r.business_id, NULL, 'sync_error_rate_pct',
           CAST(round(100.0 * coalesce(d.n, 0) / (r.n + coalesce(d.at_extract, 0)), 2)
                AS DECIMAL(18, 2))
    FROM received AS r
    LEFT JOIN dead AS d USING (business_id, business_date)
    UNION ALL
    -- Age on the run's clock (BACKBONE_NOW in a replay), which the builder sets; else now().
    SELECT business_date, business_id, NULL, 'data_freshness_hours',
           CAST(round(epoch(coalesce(getvariable('pipeline_now'), now()) - last_extract)
                      / 3600.0, 2) AS DECIMAL(18, 2))
    FROM received
)
SELECT business_date, business_id, location_id, metric, value
FROM metrics
ORDER BY business_date, business_id, location_id NULLS FIRST, metric
