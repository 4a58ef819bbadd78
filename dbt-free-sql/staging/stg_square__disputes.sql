-- Square disputes (chargebacks): the disputed payment, amount, reason and current state, dated
-- on the local business date the dispute was opened at its location.
WITH typed AS (
    SELECT
        d.record_id,
        d.business_id,
        d.location_id,
        d.payload,
        d.payload ->> '$.disputed_payment.payment_id' AS payment_id,
        d.payload ->> '$.state' AS state,
        d.payload ->> '$.reason' AS reason,
        d.payload ->> '$.card_brand' AS card_brand,
        TRY_CAST(d.payload ->> '$.created_at' AS TIMESTAMPTZ) AS created_at,
        TRY_CAST(d.payload ->> '$.updated_at' AS TIMESTAMPTZ) AS updated_at,
        TRY_CAST(d.payload ->> '$.due_at' AS TIMESTAMPTZ) AS due_at,
        json_cents(d.payload, '$.amount_money.amount') AS amount_cents,
        l.timezone
    FROM raw.square_disputes AS d
    LEFT JOIN ref.locations AS l
        ON l.location_id = d.location_id AND l.business_id = d.business_id
)
SELECT
    record_id AS dispute_id,
    payment_id,
    business_id,
    location_id,
    CAST(timezone(timezone, created_at) AS DATE) AS business_date,
    state,
    reason,
    card_brand,
    -- An inquiry only asks questions; a chargeback takes the money back.
    coalesce(NOT starts_with(state, 'INQUIRY_'), TRUE) AS is_chargeback,
    created_at,
    updated_at,
    due_at,
    money(amount_cents) AS amount_money,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN created_at IS NULL THEN 'field created_at is not a timestamp'
        WHEN amount_cents IS NULL THEN 'field amount_money.amount is not integer minor units'
        WHEN payment_id IS NULL THEN 'field disputed_payment.payment_id is missing'
        WHEN state IS NULL THEN 'field state is missing'
        WHEN timezone IS NULL
            THEN 'location_id ' || coalesce(location_id, 'NULL') || ' is not in reference/locations.csv'
    END AS _dlq_reason
FROM typed
