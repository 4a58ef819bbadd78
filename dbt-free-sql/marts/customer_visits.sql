-- Each visit of an identified customer to a business: a completed order with something sold
-- (as marts.customer_facts counts visits), numbered 1, 2, ... per customer and business by
-- business date, order time and order id over the loaded history; net_sales = its lines that
-- count in lifetime value (net of discounts, before tax and tips; a gift card sold is owed back,
-- so 0). Repeat revenue is net_sales of visits numbered 2 or more.
WITH visits AS (
    SELECT
        business_id,
        customer_id,
        order_id,
        min(location_id) AS location_id,
        min(business_date) AS business_date,
        min(ordered_at) AS ordered_at,
        CAST(coalesce(sum(net_amount) FILTER (WHERE counts_in_ltv), 0) AS DECIMAL(18, 2))
            AS net_sales
    FROM core.customer_purchases
    WHERE line_kind = 'sale'
    GROUP BY ALL
)
SELECT
    *,
    row_number() OVER (
        PARTITION BY business_id, customer_id ORDER BY business_date, ordered_at, order_id
    ) AS visit_no
FROM visits
