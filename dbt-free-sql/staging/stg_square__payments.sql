-- Square payments: one row per tender taken, with the processor's fee.
-- Each payload is parsed once for all its fields (`f`), not once per field.
WITH parsed AS (
    SELECT
        record_id,
        business_id,
        location_id,
        business_date,
        payload,
        json_extract(payload, ['$.order_id', '$.customer_id', '$.status', '$.source_type',
            '$.card_details.card.card_brand', '$.wallet_details.brand', '$.is_offline_payment',
            '$.created_at', '$.updated_at', '$.amount_money.amount', '$.tip_money.amount',
            '$.total_money.amount']) AS f
    FROM raw.square_payments
),
typed AS (
    SELECT
        record_id,
        business_id,
        location_id,
        business_date,
        payload,
        f[1] ->> '$' AS order_id,
        f[2] ->> '$' AS square_customer_id,
        f[3] ->> '$' AS status,
        f[4] ->> '$' AS source_type,
        -- Square gift cards are CARD payments with card brand SQUARE_GIFT_CARD.
        f[5] ->> '$' AS card_brand,
        f[6] ->> '$' AS wallet_brand,
        coalesce(TRY_CAST(f[7] ->> '$' AS BOOLEAN), FALSE) AS is_offline,
        TRY_CAST(f[8] ->> '$' AS TIMESTAMPTZ) AS created_at,
        TRY_CAST(f[9] ->> '$' AS TIMESTAMPTZ) AS updated_at,
        json_cents(f[10], '$') AS amount_cents,
        coalesce(json_cents(f[11], '$'), 0) AS tip_cents,
        json_cents(f[12], '$') AS total_cents,
        square_fee_cents(payload) AS fee_cents
    FROM parsed
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
