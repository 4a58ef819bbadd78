-- Sales metrics per location (docs/metrics.md) from core.sales_lines: orders (completed orders
-- with a sale line), net_sales (sale lines' gross less discounts, less the same of return
-- lines: before tax and tips) and refund_rate_pct (returned net / sold net x 100, NULL with
-- nothing sold). A week's orders and net sales are sums; its refund rate is recomputed from
-- the week's lines, not averaged from days.
WITH grains AS (
    SELECT
        g.grain,
        period_start(g.grain, l.business_date) AS period_start,
        l.*
    FROM core.sales_lines AS l
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
),
agg AS (
    SELECT
        grain,
        period_start,
        business_id,
        location_id,
        count(DISTINCT order_id) FILTER (WHERE line_kind = 'sale') AS orders,
        coalesce(sum(gross_money - discount_money) FILTER (WHERE line_kind = 'sale'), 0)
            AS sold,
        coalesce(sum(gross_money - discount_money) FILTER (WHERE line_kind = 'return'), 0)
            AS returned
    FROM grains
    GROUP BY ALL
)
SELECT grain, period_start, business_id, location_id, metric, value
FROM (
    SELECT grain, period_start, business_id, location_id,
           CAST(orders AS DECIMAL(18, 2)) AS orders,
           CAST(sold - returned AS DECIMAL(18, 2)) AS net_sales,
           CAST(round(100.0 * returned / nullif(sold, 0), 2) AS DECIMAL(18, 2)) AS refund_rate
    FROM agg
)
UNPIVOT INCLUDE NULLS (value FOR metric IN (
    orders AS 'orders',
    net_sales AS 'net_sales',
    refund_rate AS 'refund_rate_pct'
))
