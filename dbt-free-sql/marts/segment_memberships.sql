-- Who is in which segment now: the admitted entries of marts.segment_candidates (consent,
-- reachability and cadence applied there) that have begun and not yet ended as of the run's
-- date. member_key is unique per membership and stable across runs (the sync's key); reason
-- is short and free of contact data; suggestions name products where the segment has some.
SELECT
    business_id,
    segment,
    customer_id,
    since,
    channel,
    reason,
    member_key,
    marketing,
    priority,
    hubspot_list_name,
    suggestions
FROM marts.segment_candidates
WHERE held_back IS NULL AND is_current
