-- loyalty_6th_visit: customers whose next visit is their 6th (or 12th, 18th...), so the
-- "your next one is on us" message reaches them before they come in. `since` is the day of the
-- visit that qualified them. Visits are completed sale orders linked to a resolved customer.
WITH visits AS (
    SELECT
        m.customer_id,
        o.business_id,
        o.business_date,
        o.created_at,
        o.order_id
    FROM staging.stg_square__orders AS o
    JOIN core.identity_map AS m
        ON m.source = 'square' AND m.source_id = o.square_customer_id
        AND m.business_id = o.business_id
    JOIN ref.lifecycle_states AS ls
        ON ls.system = 'square' AND ls.entity = 'order' AND ls.vendor_state = o.state
    WHERE NOT o.is_return AND ls.state = 'completed'
),
numbered AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY customer_id ORDER BY created_at, order_id) AS visit_no,
        count(*) OVER (PARTITION BY customer_id) AS visits
    FROM visits
)
SELECT
    'loyalty_6th_visit' AS segment,
    n.customer_id,
    n.business_id,
    n.business_date AS since,
    n.visits
FROM numbered AS n
JOIN core.customers AS c USING (customer_id)
WHERE n.visit_no = n.visits AND n.visits % 6 = 5
