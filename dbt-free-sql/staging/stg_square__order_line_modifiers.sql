-- Modifiers on the sale lines of orders that passed staging (oat milk, extra shot...), one row
-- each. Square's total_price_money is base price x modifier quantity x line quantity.
WITH lines AS (
    SELECT
        r.record_id AS order_id,
        o.business_id,
        o.location_id,
        o.business_date,
        unnest(CAST(coalesce(json_extract(r.payload, '$.line_items'), '[]') AS JSON[])) AS line
    FROM raw.square_orders AS r
    JOIN staging.stg_square__orders AS o
        ON o.order_id = r.record_id AND o.business_id = r.business_id
),
modifiers AS (
    SELECT
        l.*,
        unnest(CAST(coalesce(json_extract(l.line, '$.modifiers'), '[]') AS JSON[])) AS m,
        generate_subscripts(
            CAST(coalesce(json_extract(l.line, '$.modifiers'), '[]') AS JSON[]), 1
        ) AS modifier_no
    FROM lines AS l
)
SELECT
    order_id,
    line ->> '$.uid' AS line_uid,
    modifier_no,
    business_id,
    location_id,
    business_date,
    m ->> '$.uid' AS modifier_uid,
    m ->> '$.catalog_object_id' AS modifier_id,
    m ->> '$.name' AS name,
    coalesce(TRY_CAST(m ->> '$.quantity' AS DECIMAL(18, 3)), 1) AS quantity,
    money(json_cents(m, '$.base_price_money.amount')) AS base_price_money,
    money(json_cents(m, '$.total_price_money.amount')) AS total_price_money
FROM modifiers
