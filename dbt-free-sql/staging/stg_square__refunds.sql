-- Square refunds: money going back to a tender; order_id is the itemized return order.
WITH typed AS (
    SELECT
        record_id, business_id, location_id, business_date, payload,
        payload ->> '$.payment_id' AS payment_id,
        payload ->> '$.order_id' AS return_order_id,
        payload ->> '$.status' AS status,
        payload ->> '$.reason' AS reason,
        payload ->> '$.destination_type' AS destination_type,
        payload ->> '$.destination_details.card_details.card.card_brand' AS destination_card_brand,
        TRY_CAST(payload ->> '$.created_at' AS TIMESTAMPTZ) AS created_at,
        json_cents(payload, '$.amount_money.amount') AS amount_cents,
        square_fee_cents(payload) AS fee_cents
    FROM raw.square_refunds
)
SELECT
    record_id AS refund_id,
    payment_id,
    return_order_id,
    business_id,
    location_id,
    business_date,
    status,
    reason,
    destination_type,
    destination_card_brand,
    created_at,
    money(amount_cents) AS amount_money,
    money(fee_cents) AS fee_money,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN created_at IS NULL THEN 'field created_at is not a timestamp'
        WHEN amount_cents IS NULL THEN 'field amount_money.amount is not integer minor units'
        WHEN payment_id IS NULL THEN 'field payment_id is missing'
        WHEN fee_cents IS NULL
            THEN 'field processing_fee.amount_money.amount is not integer minor units'
    END AS _dlq_reason
FROM typed
