-- Square payouts: what the processor sends to the bank, net of fees. Created (SENT) on the
-- business date, due in the bank on arrival_date; PAID once it arrived, FAILED if the bank
-- rejected it (updated_at: when Square last changed it, e.g. learnt of the failure).
SELECT
    record_id AS payout_id,
    business_id,
    location_id,
    business_date,
    payload ->> '$.status' AS status,
    TRY_CAST(payload ->> '$.arrival_date' AS DATE) AS arrival_date,
    payload ->> '$.end_to_end_id' AS end_to_end_id,
    TRY_CAST(payload ->> '$.created_at' AS TIMESTAMPTZ) AS created_at,
    TRY_CAST(payload ->> '$.updated_at' AS TIMESTAMPTZ) AS updated_at,
    money(json_cents(payload, '$.amount_money.amount')) AS amount_money,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN json_cents(payload, '$.amount_money.amount') IS NULL
            THEN 'field amount_money.amount is not integer minor units'
    END AS _dlq_reason
FROM raw.square_payouts
