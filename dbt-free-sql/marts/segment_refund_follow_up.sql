-- Segment refund_follow_up: one entry per completed refund (a pending or failed one is no
-- refund yet), for a person to follow up with a task, never a marketing send. The customer is
-- the return order's, else that of the order whose payment was refunded. The entry is open for
-- window_days days from the refund's business date (reference/segments.csv), then ends: an old
-- refund does not become a task the first time the sync runs.
WITH refunds AS (
    SELECT f.business_id, f.refund_id, f.order_id, f.payment_id, f.business_date,
        -f.amount_money AS amount
    FROM core.tender_facts AS f
    WHERE f.fact_kind = 'refund'
)
SELECT
    s.segment,
    r.business_id,
    m.customer_id,
    r.business_date AS since,
    r.business_date + CAST(s.window_days AS INTEGER) AS until,
    s.segment || ':' || r.refund_id AS member_key,
    'completed refund of ' || CAST(r.amount AS VARCHAR) AS reason,
    CAST(NULL AS VARCHAR) AS suggestions
FROM refunds AS r
JOIN ref.segments AS s ON s.segment = 'refund_follow_up'
LEFT JOIN staging.stg_square__orders AS ro
    ON ro.business_id = r.business_id AND ro.order_id = r.order_id
LEFT JOIN staging.stg_square__payments AS p
    ON p.business_id = r.business_id AND p.payment_id = r.payment_id
LEFT JOIN staging.stg_square__orders AS po
    ON po.business_id = r.business_id AND po.order_id = p.order_id
JOIN core.identity_map AS m
    ON m.source = 'square' AND m.business_id = r.business_id
    AND m.source_id = coalesce(ro.square_customer_id, po.square_customer_id)
