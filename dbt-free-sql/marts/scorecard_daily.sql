-- The daily scorecard analysts query: long format, one row per local business date, business,
-- location (NULL for a business-wide metric) and metric, value DECIMAL(18,2) (NULL when a rate
-- or median has nothing to stand on). Each metric is computed in its own marts.metric_* model
-- at both grains; this is their 'day' rows. Definitions: docs/metrics.md; labels, units and
-- which direction is good: ref.metrics (reference/metrics.csv).
SELECT period_start AS business_date, business_id, location_id, metric, value
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
WHERE grain = 'day'
ORDER BY business_date, business_id, location_id NULLS FIRST, metric
