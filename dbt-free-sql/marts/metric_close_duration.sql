-- Close duration per business (docs/metrics.md), in days: a period is closed once every day in
-- it is posted (the local date its journal entries were posted, marts.journal_entries.posted_at;
-- adjusting entries posted later are corrections, not the close) and every payout that arrived
-- in it is settled by a deposit (marts.reconciliation matched, or failed: nothing to find).
-- close_days = that closing date - the period's last day (a day's own date; a week's Sunday).
-- NULL while a day of the period has a payout still in transit, unmatched or partial, or an
-- entry with no posting stamp; a week appears once its Sunday is posted.
WITH tz AS (
    SELECT business_id, min(timezone) AS timezone FROM ref.locations GROUP BY ALL
),
posted AS (
    SELECT
        e.business_id,
        e.business_date,
        max(CAST(timezone(coalesce(tz.timezone, 'UTC'), e.posted_at) AS DATE)) AS posted_on,
        bool_and(e.posted_at IS NOT NULL) AS stamped
    FROM marts.journal_entries AS e
    LEFT JOIN tz ON tz.business_id = e.business_id
    WHERE e.adjusts_entry_id IS NULL
    GROUP BY ALL
),
settled AS (
    SELECT
        business_id,
        arrival_date AS business_date,
        max(deposit_date) FILTER (WHERE status = 'matched') AS settled_on,
        bool_and(status IN ('matched', 'failed')) AS all_settled
    FROM marts.reconciliation
    GROUP BY ALL
),
days AS (
    SELECT
        p.business_id,
        p.business_date,
        CASE WHEN p.stamped AND coalesce(s.all_settled, TRUE)
            THEN greatest(p.posted_on, coalesce(s.settled_on, p.posted_on)) END AS closed_on
    FROM posted AS p
    LEFT JOIN settled AS s USING (business_id, business_date)
),
grains AS (
    SELECT
        g.grain,
        period_start(g.grain, d.business_date) AS period_start,
        d.*
    FROM days AS d
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
),
periods AS (
    SELECT
        grain,
        period_start,
        business_id,
        CASE grain WHEN 'day' THEN period_start ELSE period_start + 6 END AS period_end,
        max(business_date) AS last_day,
        bool_and(closed_on IS NOT NULL) AS closed,
        max(closed_on) AS closed_on
    FROM grains
    GROUP BY grain, period_start, business_id
)
SELECT
    grain,
    period_start,
    business_id,
    CAST(NULL AS VARCHAR) AS location_id,
    'close_days' AS metric,
    CAST(CASE WHEN closed THEN closed_on - period_end END AS DECIMAL(18, 2)) AS value
FROM periods
WHERE last_day = period_end
