-- Segment lapsed_regulars, every entry ever: a customer with at least min_visits visits
-- enters window_days days after a visit not followed by another within that time
-- (reference/segments.csv: 5 visits, 60 days), and leaves on the day of their next visit.
-- Each lapse is its own entry (member_key names the visit it followed).
WITH visit_days AS (
    SELECT business_id, customer_id, business_date, count(DISTINCT order_id) AS visits
    FROM core.customer_purchases
    WHERE line_kind = 'sale'
    GROUP BY ALL
),
numbered AS (
    SELECT
        *,
        sum(visits) OVER (
            PARTITION BY business_id, customer_id ORDER BY business_date
        ) AS visits_so_far,
        lead(business_date) OVER (
            PARTITION BY business_id, customer_id ORDER BY business_date
        ) AS next_visit
    FROM visit_days
)
SELECT
    s.segment,
    n.business_id,
    n.customer_id,
    n.business_date + CAST(s.window_days AS INTEGER) AS since,
    n.next_visit AS until,
    s.segment || ':' || n.customer_id || ':' || strftime(n.business_date, '%Y-%m-%d')
        AS member_key,
    'no visit in ' || s.window_days || ' days after ' || n.visits_so_far || ' visits' AS reason,
    CAST(NULL AS VARCHAR) AS suggestions
FROM numbered AS n
JOIN ref.segments AS s ON s.segment = 'lapsed_regulars'
JOIN core.crm_as_of AS a ON a.business_id = n.business_id
WHERE n.visits_so_far >= CAST(s.min_visits AS INTEGER)
    -- Lapsed only if the next visit (if any) came after the window had passed.
    AND coalesce(n.next_visit, a.as_of_date + 1)
        > n.business_date + CAST(s.window_days AS INTEGER)
    AND n.business_date + CAST(s.window_days AS INTEGER) <= a.as_of_date
