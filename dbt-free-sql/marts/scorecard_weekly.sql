-- The weekly scorecard: long format, one row per ISO week (week_start = its Monday, in the
-- business's local dates), business, location (NULL for a business-wide metric) and metric,
-- value DECIMAL(18,2). Each value is recomputed from the week's facts in its marts.metric_* model
-- (a median or a rate is not a sum of days); money and counts are sums. docs/metrics.md;
-- labels, units and which direction is good: ref.metrics (reference/metrics.csv).
SELECT period_start AS week_start, business_id, location_id, metric, value
FROM (
    SELECT * FROM marts.metric_sales
    UNION ALL BY NAME SELECT * FROM marts.metric_pos_extract
    UNION ALL BY NAME SELECT * FROM marts.metric_sync_errors
    UNION ALL BY NAME SELECT * FROM marts.metric_freshness
    UNION ALL BY NAME SELECT * FROM marts.metric_order_to_cash
    UNION ALL BY NAME SELECT * FROM marts.metric_reconciliation_latency
    UNION ALL BY NAME SELECT * FROM marts.metric_close_duration
    UNION ALL BY NAME SELECT * FROM marts.metric_write_offs
    UNION ALL BY NAME SELECT * FROM marts.metric_campaign_response
    UNION ALL BY NAME SELECT * FROM marts.metric_repeat_revenue
    UNION ALL BY NAME SELECT * FROM marts.metric_segment_uplift
)
WHERE grain = 'week'
ORDER BY week_start, business_id, location_id NULLS FIRST, metric
