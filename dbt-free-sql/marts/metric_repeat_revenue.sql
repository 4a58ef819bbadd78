-- Repeat-revenue share per location (docs/metrics.md), in percent: of the revenue from
-- identified customers' visits (marts.customer_visits: sale lines that count in lifetime value,
-- net of discounts, before tax and tips), the share from a customer's second or later visit to
-- the business over the loaded history. Anonymous sales are in neither part. NULL when no
-- identified revenue. A week's share is recomputed from its visits.
WITH grains AS (
    SELECT
        g.grain,
        period_start(g.grain, v.business_date) AS period_start,
        v.*
    FROM marts.customer_visits AS v
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
)
SELECT
    grain,
    period_start,
    business_id,
    location_id,
    'repeat_revenue_share_pct' AS metric,
    CAST(round(
        100.0 * coalesce(sum(net_sales) FILTER (WHERE visit_no >= 2), 0)
        / nullif(sum(net_sales), 0), 2) AS DECIMAL(18, 2)) AS value
FROM grains
GROUP BY grain, period_start, business_id, location_id
