-- Repeat-revenue share per location (docs/metrics.md), in percent: of the revenue from
-- identified customers (core.customer_purchases sale lines that count in lifetime value: net of
-- discounts, before tax and tips), the share from a customer's second or later visit to the
-- business (visits numbered by business date, order time, order id over the loaded history,
-- as marts.customer_facts counts them). Anonymous sales are in neither part.
WITH orders AS (
    SELECT business_id, customer_id, order_id, min(business_date) AS business_date,
           min(ordered_at) AS ordered_at
    FROM core.customer_purchases
    WHERE line_kind = 'sale'
    GROUP BY ALL
),
numbered AS (
    SELECT *, row_number() OVER (
        PARTITION BY business_id, customer_id ORDER BY business_date, ordered_at, order_id
    ) AS visit_no
    FROM orders
),
lines AS (
    SELECT p.business_id, p.location_id, p.business_date, p.net_amount, n.visit_no
    FROM core.customer_purchases AS p
    JOIN numbered AS n
        ON n.business_id = p.business_id AND n.customer_id = p.customer_id
        AND n.order_id = p.order_id
    WHERE p.line_kind = 'sale' AND p.counts_in_ltv
),
grains AS (
    SELECT
        g.grain,
        CASE g.grain WHEN 'day' THEN l.business_date
            ELSE CAST(date_trunc('week', l.business_date) AS DATE) END AS period_start,
        l.*
    FROM lines AS l
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
)
SELECT
    grain,
    period_start,
    business_id,
    location_id,
    'repeat_revenue_share_pct' AS metric,
    CAST(round(
        100.0 * coalesce(sum(net_amount) FILTER (WHERE visit_no >= 2), 0)
        / nullif(sum(net_amount), 0), 2) AS DECIMAL(18, 2)) AS value
FROM grains
GROUP BY grain, period_start, business_id, location_id
