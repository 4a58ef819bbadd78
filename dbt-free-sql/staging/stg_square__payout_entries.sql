-- Square payout entries: each charge, refund, dispute hold or release, or fee a payout settles.
SELECT
    record_id AS payout_entry_id,
    payload ->> '$.payout_id' AS payout_id,
    business_id,
    business_date,
    payload ->> '$.type' AS entry_type,
    coalesce(payload ->> '$.type_charge_details.payment_id',
             payload ->> '$.type_refund_details.payment_id',
             payload ->> '$.type_dispute_details.payment_id') AS payment_id,
    payload ->> '$.type_refund_details.refund_id' AS refund_id,
    payload ->> '$.type_dispute_details.dispute_id' AS dispute_id,
    TRY_CAST(payload ->> '$.effective_at' AS TIMESTAMPTZ) AS effective_at,
    money(json_cents(payload, '$.gross_amount_money.amount')) AS gross_money,
    money(coalesce(json_cents(payload, '$.fee_amount_money.amount'), 0)) AS fee_money,
    money(json_cents(payload, '$.net_amount_money.amount')) AS net_money,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN json_cents(payload, '$.net_amount_money.amount') IS NULL
            THEN 'field net_amount_money.amount is not integer minor units'
        WHEN payload ->> '$.payout_id' IS NULL THEN 'field payout_id is missing'
    END AS _dlq_reason
FROM raw.square_payout_entries
