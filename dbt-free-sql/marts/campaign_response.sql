-- Campaign response per business and segment, over every admitted entry that began on or
-- before the as-of date (current and ended alike): members = entries; purchased = entries
-- whose customer made a visit (a completed order with something sold) on a business date
-- after the entry's since date (the entry day itself is not counted: for loyalty_6th_visit it
-- is the qualifying visit); days_to_purchase = days from since to the first such visit;
-- median_days and mean_days over the entries that purchased (NULL when none), mean to the
-- hundredth of a day. held_back and held_back_purchased are the same for entries held back
-- (consent, unreachable, cadence): a rough comparison group, not a randomised one.
WITH visits AS (
    SELECT DISTINCT business_id, customer_id, business_date
    FROM core.customer_purchases
    WHERE line_kind = 'sale'
),
responses AS (
    SELECT
        c.business_id,
        c.segment,
        c.member_key,
        c.held_back IS NULL AS admitted,
        min(v.business_date) - c.since AS days_to_purchase
    FROM marts.segment_candidates AS c
    LEFT JOIN visits AS v
        ON v.business_id = c.business_id AND v.customer_id = c.customer_id
        AND v.business_date > c.since
    GROUP BY c.business_id, c.segment, c.member_key, c.held_back, c.since
)
SELECT
    business_id,
    segment,
    count(*) FILTER (WHERE admitted) AS members,
    count(days_to_purchase) FILTER (WHERE admitted) AS purchased,
    CAST(median(days_to_purchase) FILTER (WHERE admitted) AS DECIMAL(9, 1)) AS median_days,
    CAST(avg(days_to_purchase) FILTER (WHERE admitted) AS DECIMAL(9, 2)) AS mean_days,
    count(*) FILTER (WHERE NOT admitted) AS held_back,
    count(days_to_purchase) FILTER (WHERE NOT admitted) AS held_back_purchased
FROM responses
GROUP BY ALL
