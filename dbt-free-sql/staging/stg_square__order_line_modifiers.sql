-- Modifiers on the sale lines of orders that passed staging (oat milk, extra shot...), one row
-- each. Square's total_price_money is base price x modifier quantity x line quantity.
-- Each line and each modifier is parsed once for all its fields, not once per field.
WITH lines AS (
    SELECT
        r.record_id AS order_id,
        o.business_id,
        o.location_id,
        o.business_date,
        json_extract(
            unnest(CAST(coalesce(json_extract(r.payload, '$.line_items'), '[]') AS JSON[])),
            ['$.uid', '$.modifiers']
        ) AS lf
    FROM raw.square_orders AS r
    JOIN staging.stg_square__orders AS o
        ON o.order_id = r.record_id AND o.business_id = r.business_id
),
modifiers AS (
    SELECT
        order_id,
        business_id,
        location_id,
        business_date,
        lf[1] ->> '$' AS line_uid,
        unnest(CAST(coalesce(lf[2], '[]') AS JSON[])) AS m,
        generate_subscripts(CAST(coalesce(lf[2], '[]') AS JSON[]), 1) AS modifier_no
    FROM lines
),
fields AS (
    SELECT
        *,
        json_extract(m, ['$.uid', '$.catalog_object_id', '$.name', '$.quantity',
            '$.base_price_money.amount', '$.total_price_money.amount']) AS f
    FROM modifiers
)
SELECT
    order_id,
    line_uid,
    modifier_no,
    business_id,
    location_id,
    business_date,
    f[1] ->> '$' AS modifier_uid,
    f[2] ->> '$' AS modifier_id,
    f[3] ->> '$' AS name,
    coalesce(TRY_CAST(f[4] ->> '$' AS DECIMAL(18, 3)), 1) AS quantity,
    money(json_cents(f[5], '$')) AS base_price_money,
    money(json_cents(f[6], '$')) AS total_price_money
FROM fields
