-- Campaign response speed per business (docs/metrics.md), by the day (and ISO week) segment
-- entries began: over admitted entries of marts.segment_candidates (held-back ones are not
-- contacted), the median days from an entry's since date to the customer's first visit after it
-- (the entry day itself is not counted, as in marts.campaign_response), and the percentage of
-- entries with such a visit so far (recent entries have had less time: read with their date).
WITH visits AS (
    SELECT DISTINCT business_id, customer_id, business_date
    FROM core.customer_purchases
    WHERE line_kind = 'sale'
),
entries AS (
    SELECT
        c.business_id,
        c.member_key,
        c.since,
        min(v.business_date) - c.since AS days_to_purchase
    FROM marts.segment_candidates AS c
    LEFT JOIN visits AS v
        ON v.business_id = c.business_id AND v.customer_id = c.customer_id
        AND v.business_date > c.since
    WHERE c.held_back IS NULL
    GROUP BY c.business_id, c.member_key, c.since
),
grains AS (
    SELECT
        g.grain,
        period_start(g.grain, e.since) AS period_start,
        e.*
    FROM entries AS e
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
),
agg AS (
    SELECT
        grain, period_start, business_id,
        median(days_to_purchase) AS response_days,
        100.0 * count(days_to_purchase) / count(*) AS response_rate
    FROM grains
    GROUP BY ALL
)
SELECT grain, period_start, business_id, CAST(NULL AS VARCHAR) AS location_id, metric,
       CAST(round(value, 2) AS DECIMAL(18, 2)) AS value
FROM agg
UNPIVOT INCLUDE NULLS (value FOR metric IN (
    response_days AS 'campaign_response_days',
    response_rate AS 'campaign_response_rate_pct'
))
