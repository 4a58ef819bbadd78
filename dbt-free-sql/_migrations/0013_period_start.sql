-- Where a metric's period starts (docs/metrics.md): the date itself for the day grain, the
-- Monday of its ISO week for the week grain. Every marts/metric_*.sql model groups by it, so a
-- change of what a week is happens here once.
CREATE OR REPLACE MACRO period_start(grain, d) AS
    CASE grain WHEN 'day' THEN CAST(d AS DATE) ELSE CAST(date_trunc('week', d) AS DATE) END;
