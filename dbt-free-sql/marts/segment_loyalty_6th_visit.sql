-- Segment loyalty_6th_visit, every entry ever: a customer enters on the day of a visit that
-- makes their next one a multiple of min_visits (reference/segments.csv: 6, so after visits 5,
-- 11, 17...), so "your next one is on us" reaches them before they come in, and leaves on the
-- day of that next visit (until; NULL while it has not happened). Visits are completed orders
-- with something sold, numbered by when they were placed. One member_key per cycle: the sixth
-- visit's entry is never sent again, the twelfth is a new one.
WITH visits AS (
    SELECT business_id, customer_id, order_id, min(business_date) AS business_date,
        min(ordered_at) AS ordered_at
    FROM core.customer_purchases
    WHERE line_kind = 'sale'
    GROUP BY ALL
),
numbered AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY business_id, customer_id ORDER BY ordered_at, order_id
        ) AS visit_no,
        lead(business_date) OVER (
            PARTITION BY business_id, customer_id ORDER BY ordered_at, order_id
        ) AS next_visit
    FROM visits
)
SELECT
    s.segment,
    n.business_id,
    n.customer_id,
    n.business_date AS since,
    n.next_visit AS until,
    s.segment || ':' || n.customer_id || ':visit_' || (n.visit_no + 1) AS member_key,
    'next visit is number ' || (n.visit_no + 1) AS reason,
    CAST(NULL AS VARCHAR) AS suggestions
FROM numbered AS n
JOIN ref.segments AS s ON s.segment = 'loyalty_6th_visit'
WHERE n.visit_no % CAST(s.min_visits AS INTEGER) = CAST(s.min_visits AS INTEGER) - 1
