-- Square payments: one row per tender taken, with the processor's fee.
WITH typed AS (
    SELECT
        record_id,
        business_id,
        location_id,
        business_date,
        payload,
        payload ->> '$.order_id' AS order_id,
        payload ->> '$.customer_id' AS square_customer_id,
        payload ->> '$.status' AS status,
        payload ->> '$.source_type' AS source_type,
        -- Square gift cards are CARD payments with card brand SQUARE_GIFT_CARD.
        payload ->> '$.card_details.card.card_brand' AS card_brand,
        payload ->> '$.wallet_details.brand' AS wallet_brand,
        coalesce(TRY_CAST(payload ->> '$.is_offline_payment' AS BOOLEAN), FALSE) AS is_offline,
        TRY_CAST(payload ->> '$.created_at' AS TIMESTAMPTZ) AS created_at,
        TRY_CAST(payload ->> '$.updated_at' AS TIMESTAMPTZ) AS updated_at,
        json_cents(payload, '$.amount_money.amount') AS amount_cents,
        coalesce(json_cents(payload, '$.tip_money.amount'), 0) AS tip_cents,
        json_cents(payload, '$.total_money.amount') AS total_cents,
        square_fee_cents(payload) AS fee_cents
    FROM raw.square_payments
)
SELECT
    record_id AS payment_id,
    order_id,
    business_id,
    location_id,
    business_date,
    square_customer_id,
    status,
    source_type,
    card_brand,
    wallet_brand,
    is_offline,
    created_at,
    updated_at,
    money(amount_cents) AS amount_money,
    money(tip_cents) AS tip_money,
    money(total_cents) AS total_money,
    money(fee_cents) AS fee_money,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN created_at IS NULL THEN 'field created_at is not a timestamp'
        WHEN amount_cents IS NULL THEN 'field amount_money.amount is not integer minor units'
        WHEN total_cents IS NULL THEN 'field total_money.amount is not integer minor units'
        WHEN amount_cents + tip_cents <> total_cents
            THEN 'total_money ' || total_cents || ' <> amount ' || amount_cents || ' + tip '
                || tip_cents
        WHEN source_type IS NULL THEN 'field source_type is missing'
        WHEN fee_cents IS NULL
            THEN 'field processing_fee.amount_money.amount is not integer minor units'
    END AS _dlq_reason
FROM typed
