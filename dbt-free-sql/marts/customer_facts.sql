-- What the CRM knows of each customer per business, recomputed every run: visits (completed
-- orders with something sold, so a return alone is no visit), first and last purchase (local
-- business dates), lifetime value (marts.customer_ltv), the VIP tier, and the categories,
-- brands and sizes bought (distinct values, sorted, joined with ';' as HubSpot's multi-value
-- properties are). VIP tier (reference/vip_tiers.csv): the highest rank whose every stated
-- minimum the customer meets within its trailing window before the as-of date: net value
-- there (sales less refunds, each on its own business date, so a return can drop a tier)
-- and visits there.
WITH visits AS (
    SELECT business_id, customer_id, order_id, min(business_date) AS business_date
    FROM core.customer_purchases
    WHERE line_kind = 'sale'
    GROUP BY ALL
),
-- Every customer with a line, so the facts and marts.customer_ltv agree: one whose only line is
-- a return (the sale before the loaded history, or unlinked) has no visit and a negative value.
per_customer AS (
    SELECT
        p.business_id,
        p.customer_id,
        count(DISTINCT v.order_id) AS visits,
        min(v.business_date) AS first_purchase,
        max(v.business_date) AS last_purchase
    FROM (SELECT DISTINCT business_id, customer_id FROM core.customer_purchases) AS p
    LEFT JOIN visits AS v ON v.business_id = p.business_id AND v.customer_id = p.customer_id
    GROUP BY ALL
),
bought AS (
    SELECT
        business_id,
        customer_id,
        string_agg(DISTINCT category, ';' ORDER BY category) AS categories,
        string_agg(DISTINCT brand, ';' ORDER BY brand) AS brands,
        string_agg(DISTINCT size, ';' ORDER BY size) AS sizes
    FROM core.customer_purchases
    WHERE line_kind = 'sale' AND counts_in_ltv
    GROUP BY ALL
),
tier_window AS (
    SELECT
        t.business_id,
        c.customer_id,
        t.tier,
        CAST(t.rank AS INTEGER) AS rank,
        CAST(nullif(t.min_net_ltv, '') AS DECIMAL(18, 2)) AS min_net_ltv,
        CAST(nullif(t.min_visits, '') AS INTEGER) AS min_visits,
        (
            SELECT coalesce(sum(CASE p.line_kind WHEN 'sale' THEN p.net_amount
                                                 ELSE -p.net_amount END), 0)
            FROM core.customer_purchases AS p
            WHERE p.business_id = c.business_id AND p.customer_id = c.customer_id
                AND p.counts_in_ltv
                AND p.business_date > a.as_of_date - CAST(t.window_days AS INTEGER)
                AND p.business_date <= a.as_of_date
        ) AS window_net,
        (
            SELECT count(*)
            FROM visits AS v
            WHERE v.business_id = c.business_id AND v.customer_id = c.customer_id
                AND v.business_date > a.as_of_date - CAST(t.window_days AS INTEGER)
                AND v.business_date <= a.as_of_date
        ) AS window_visits
    FROM per_customer AS c
    JOIN ref.vip_tiers AS t ON t.business_id = c.business_id
    JOIN core.crm_as_of AS a ON a.business_id = c.business_id
),
tiers AS (
    SELECT business_id, customer_id, arg_max(tier, rank) AS vip_tier
    FROM tier_window
    WHERE (min_net_ltv IS NULL OR window_net >= min_net_ltv)
        AND (min_visits IS NULL OR window_visits >= min_visits)
    GROUP BY ALL
)
SELECT
    c.customer_id,
    c.business_id,
    c.visits,
    c.first_purchase,
    c.last_purchase,
    coalesce(l.gross_sales, CAST(0 AS DECIMAL(18, 2))) AS gross_sales,
    coalesce(l.refunds, CAST(0 AS DECIMAL(18, 2))) AS refunds,
    coalesce(l.net_ltv, CAST(0 AS DECIMAL(18, 2))) AS net_ltv,
    t.vip_tier,
    b.categories,
    b.brands,
    b.sizes
FROM per_customer AS c
LEFT JOIN marts.customer_ltv AS l
    ON l.business_id = c.business_id AND l.customer_id = c.customer_id
LEFT JOIN tiers AS t ON t.business_id = c.business_id AND t.customer_id = c.customer_id
LEFT JOIN bought AS b ON b.business_id = c.business_id AND b.customer_id = c.customer_id
