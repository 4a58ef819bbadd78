-- Square sale lines and itemized return lines of the orders that passed staging.
-- Return lines carry positive amounts and line_kind = 'return'; postings reverse them.
WITH orders AS (
    SELECT r.record_id, r.payload, o.business_id, o.location_id, o.business_date
    FROM raw.square_orders AS r
    JOIN staging.stg_square__orders AS o
        ON o.order_id = r.record_id AND o.business_id = r.business_id
),
sale_lines AS (
    SELECT
        o.*, 'sale' AS line_kind, NULL AS source_order_id,
        unnest(CAST(json_extract(o.payload, '$.line_items') AS JSON[])) AS line
    FROM orders AS o
),
return_lines AS (
    SELECT
        o.record_id, o.payload, o.business_id, o.location_id, o.business_date,
        'return' AS line_kind, o.ret ->> '$.source_order_id' AS source_order_id,
        unnest(CAST(json_extract(o.ret, '$.return_line_items') AS JSON[])) AS line
    FROM (
        SELECT o.*, unnest(CAST(json_extract(o.payload, '$.returns') AS JSON[])) AS ret
        FROM orders AS o
    ) AS o
),
lines AS (
    SELECT * FROM sale_lines
    UNION ALL
    SELECT * FROM return_lines
)
SELECT
    record_id AS order_id,
    line ->> '$.uid' AS line_uid,
    line_kind,
    source_order_id,
    business_id,
    location_id,
    business_date,
    line ->> '$.catalog_object_id' AS variation_id,
    line ->> '$.name' AS item_name,
    line ->> '$.variation_name' AS variation_name,
    TRY_CAST(line ->> '$.quantity' AS DECIMAL(18, 3)) AS quantity,
    money(coalesce(json_cents(line, '$.gross_sales_money.amount'),
                   json_cents(line, '$.gross_return_money.amount'))) AS gross_money,
    money(coalesce(json_cents(line, '$.total_discount_money.amount'), 0)) AS discount_money,
    money(coalesce(json_cents(line, '$.total_tax_money.amount'), 0)) AS tax_money,
    money(json_cents(line, '$.total_money.amount')) AS total_money
FROM lines
