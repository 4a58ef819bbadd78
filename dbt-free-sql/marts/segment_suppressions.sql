-- Who was held back from a current segment entry and why (consent, unreachable or cadence),
-- for observability: the decision is marts.segment_candidates'; this only lists it.
SELECT
    business_id,
    segment,
    customer_id,
    since,
    channel,
    member_key,
    held_back AS reason
FROM marts.segment_candidates
WHERE held_back IS NOT NULL AND is_current
