-- Uplift of segment members against comparable non-members per business (docs/metrics.md), by
-- the day (and ISO week) entries began. Comparable = the same segment's entries held back in
-- marts.segment_candidates (consent, unreachable or cadence): customers who met the same rule
-- on the same kind of day but were not contacted. Not randomised: consent and reachability
-- differ between the groups. Spend = net purchases (sales less refunds that count in lifetime
-- value) in the 7 business days after the entry day, counted only for entries whose 7 days are
-- over by the as-of date (core.crm_as_of). Per segment with both groups present, the difference
-- of mean spend; combined over segments weighted by members. segment_uplift_spend is NULL
-- when fewer than 5 members or 5 comparison entries are counted; the two sample sizes are
-- their own metrics (segment_uplift_members, segment_uplift_comparison).
WITH spend AS (
    SELECT
        c.business_id,
        c.segment,
        c.member_key,
        c.since,
        c.held_back IS NULL AS member,
        coalesce(sum(CASE p.line_kind WHEN 'sale' THEN p.net_amount ELSE -p.net_amount END)
                 FILTER (WHERE p.counts_in_ltv), 0) AS spend
    FROM marts.segment_candidates AS c
    JOIN core.crm_as_of AS a ON a.business_id = c.business_id
    LEFT JOIN core.customer_purchases AS p
        ON p.business_id = c.business_id AND p.customer_id = c.customer_id
        AND p.business_date > c.since AND p.business_date <= c.since + 7
    WHERE c.since + 7 <= a.as_of_date
    GROUP BY c.business_id, c.segment, c.member_key, c.since, c.held_back
),
grains AS (
    SELECT
        g.grain,
        period_start(g.grain, s.since) AS period_start,
        s.*
    FROM spend AS s
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
),
strata AS (
    SELECT
        grain,
        period_start,
        business_id,
        segment,
        count(*) FILTER (WHERE member) AS members,
        count(*) FILTER (WHERE NOT member) AS comparison,
        avg(spend) FILTER (WHERE member) - avg(spend) FILTER (WHERE NOT member) AS difference
    FROM grains
    GROUP BY ALL
    HAVING count(*) FILTER (WHERE member) > 0 AND count(*) FILTER (WHERE NOT member) > 0
),
-- Every period with an entry whose window is over has a row, its counts 0 when no segment had
-- both groups.
periods AS (
    SELECT DISTINCT grain, period_start, business_id FROM grains
),
agg AS (
    SELECT
        p.grain,
        p.period_start,
        p.business_id,
        coalesce(sum(s.members), 0) AS members,
        coalesce(sum(s.comparison), 0) AS comparison,
        CASE WHEN sum(s.members) >= 5 AND sum(s.comparison) >= 5
            THEN sum(s.members * s.difference) / sum(s.members) END AS uplift
    FROM periods AS p
    LEFT JOIN strata AS s
        ON s.grain = p.grain AND s.period_start = p.period_start
        AND s.business_id = p.business_id
    GROUP BY ALL
)
SELECT grain, period_start, business_id, CAST(NULL AS VARCHAR) AS location_id, metric,
       CAST(round(value, 2) AS DECIMAL(18, 2)) AS value
FROM agg
UNPIVOT INCLUDE NULLS (value FOR metric IN (
    uplift AS 'segment_uplift_spend',
    members AS 'segment_uplift_members',
    comparison AS 'segment_uplift_comparison'
))
