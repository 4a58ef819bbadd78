-- Every segment entry ever (the segment_* models) with the one decision on it: admitted, or
-- held back for consent, unreachable or cadence (held_back). The rules, in this order:
-- unreachable: no address for the segment's channel (no email for email, no phone for sms; a
-- task needs none). consent: a marketing segment, or any segment whose consent basis names a
-- flag, needs that flag in core.customers (where an opt-out in any system wins). cadence: a
-- customer's marketing entries on one channel are taken in order of date, then segment
-- priority, then segment and member_key, and one is admitted only while fewer than max_entries
-- admitted entries fall within the per_days days ending on its date
-- (reference/cadence_limits.csv: the business's row, else the default; no row, no limit).
-- Recomputed from all entries every run, so a re-run decides the same.
WITH RECURSIVE entries AS (
    SELECT * FROM marts.segment_loyalty_6th_visit
    UNION ALL BY NAME
    SELECT * FROM marts.segment_new_arrivals_interest
    UNION ALL BY NAME
    SELECT * FROM marts.segment_vip_complements
    UNION ALL BY NAME
    SELECT * FROM marts.segment_refund_follow_up
    UNION ALL BY NAME
    SELECT * FROM marts.segment_lapsed_regulars
),
checked AS (
    SELECT
        e.*,
        s.channel,
        s.consent_basis,
        s.marketing = 'true' AS marketing,
        CAST(s.priority AS INTEGER) AS priority,
        s.hubspot_list_name,
        CASE
            WHEN s.channel = 'email' AND c.email IS NULL THEN 'unreachable'
            WHEN s.channel = 'sms' AND c.phone IS NULL THEN 'unreachable'
            WHEN s.consent_basis = 'consent_email' AND NOT coalesce(c.consent_email, FALSE)
                THEN 'consent'
            WHEN s.consent_basis = 'consent_sms' AND NOT coalesce(c.consent_sms, FALSE)
                THEN 'consent'
        END AS held_back
    FROM entries AS e
    JOIN ref.segments AS s ON s.segment = e.segment
    LEFT JOIN core.customers AS c
        ON c.business_id = e.business_id AND c.customer_id = e.customer_id
),
limits AS (
    -- The business's own row beats the default (blank business_id, NULL in ref tables).
    SELECT
        b.business_id,
        l.channel,
        arg_min(CAST(l.max_entries AS INTEGER), l.business_id IS NULL) AS max_entries,
        arg_min(CAST(l.per_days AS INTEGER), l.business_id IS NULL) AS per_days
    FROM ref.businesses AS b
    JOIN ref.cadence_limits AS l ON l.business_id = b.business_id OR l.business_id IS NULL
    GROUP BY ALL
),
queued AS (
    SELECT
        c.business_id,
        c.customer_id,
        c.channel,
        c.member_key,
        c.since,
        l.max_entries,
        l.per_days,
        row_number() OVER (
            PARTITION BY c.business_id, c.customer_id, c.channel
            ORDER BY c.since, c.priority, c.segment, c.member_key
        ) AS n
    FROM checked AS c
    JOIN limits AS l ON l.business_id = c.business_id AND l.channel = c.channel
    WHERE c.marketing AND c.held_back IS NULL
),
walk AS (
    SELECT business_id, customer_id, channel, n, member_key, TRUE AS admitted, [since] AS kept
    FROM queued
    WHERE n = 1
    UNION ALL
    SELECT
        q.business_id,
        q.customer_id,
        q.channel,
        q.n,
        q.member_key,
        len(list_filter(w.kept, lambda d: d > q.since - q.per_days)) < q.max_entries,
        CASE
            WHEN len(list_filter(w.kept, lambda d: d > q.since - q.per_days)) < q.max_entries
                THEN list_append(w.kept, q.since)
            ELSE w.kept
        END
    FROM walk AS w
    JOIN queued AS q
        ON q.business_id = w.business_id AND q.customer_id = w.customer_id
        AND q.channel = w.channel AND q.n = w.n + 1
)
SELECT
    c.* EXCLUDE (held_back),
    coalesce(c.held_back, CASE WHEN NOT w.admitted THEN 'cadence' END) AS held_back,
    c.since <= a.as_of_date AND (c.until IS NULL OR c.until > a.as_of_date) AS is_current
FROM checked AS c
JOIN core.crm_as_of AS a ON a.business_id = c.business_id
LEFT JOIN walk AS w
    ON w.business_id = c.business_id AND w.customer_id = c.customer_id
    AND w.member_key = c.member_key
WHERE c.since <= a.as_of_date
