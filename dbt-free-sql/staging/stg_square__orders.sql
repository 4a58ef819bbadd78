-- Square orders, one row per sale or return order, money in DECIMAL(18,2).
-- An order whose totals do not add up to its lines (or whose money is not integer minor
-- units) is not posted: it goes to ops.dead_letter with the reason.
WITH typed AS (
    SELECT
        record_id,
        business_id,
        location_id,
        business_date,
        payload,
        payload ->> '$.customer_id' AS square_customer_id,
        payload ->> '$.state' AS state,
        TRY_CAST(payload ->> '$.created_at' AS TIMESTAMPTZ) AS created_at,
        TRY_CAST(payload ->> '$.updated_at' AS TIMESTAMPTZ) AS updated_at,
        coalesce(json_array_length(payload, '$.returns'), 0) > 0 AS is_return,
        json_cents(payload, '$.total_money.amount') AS total_cents,
        coalesce(json_cents(payload, '$.total_tax_money.amount'), 0) AS tax_cents,
        coalesce(json_cents(payload, '$.total_discount_money.amount'), 0) AS discount_cents,
        coalesce(json_cents(payload, '$.total_tip_money.amount'), 0) AS tip_cents,
        coalesce(json_cents(payload, '$.total_service_charge_money.amount'), 0)
            AS service_charge_cents,
        coalesce(json_cents(payload, '$.return_amounts.total_money.amount'), 0)
            AS return_total_cents,
        coalesce(json_cents(payload, '$.return_amounts.tip_money.amount'), 0) AS return_tip_cents,
        coalesce(json_array_length(payload, '$.line_items'), 0) AS line_count,
        coalesce(list_sum(TRY_CAST(json_extract(payload, '$.line_items[*].total_money.amount')
            AS BIGINT[])), 0) AS line_total_cents
    FROM raw.square_orders
)
SELECT
    record_id AS order_id,
    business_id,
    location_id,
    business_date,
    square_customer_id,
    state,
    created_at,
    updated_at,
    is_return,
    line_count,
    money(total_cents) AS total_money,
    money(tax_cents) AS tax_money,
    money(discount_cents) AS discount_money,
    money(tip_cents) AS tip_money,
    money(service_charge_cents) AS service_charge_money,
    money(return_total_cents) AS return_total_money,
    money(return_tip_cents) AS return_tip_money,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN created_at IS NULL THEN 'field created_at is not a timestamp'
        WHEN total_cents IS NULL THEN 'field total_money.amount is not integer minor units: '
            || coalesce(payload ->> '$.total_money.amount', 'missing')
        WHEN state = 'COMPLETED' AND NOT is_return
            AND line_total_cents + service_charge_cents + tip_cents <> total_cents
            THEN 'order total ' || total_cents || ' <> lines ' || line_total_cents
                || ' + service charges ' || service_charge_cents || ' + tip ' || tip_cents
    END AS _dlq_reason
FROM typed
