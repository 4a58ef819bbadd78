-- Square sale lines and itemized return lines of the orders that passed staging.
-- Return lines carry positive amounts and line_kind = 'return'; postings reverse them.
-- Each line is parsed once for all its fields (`f`): an ->> or json_cents per field parsed the
-- line's JSON again, fifteen times a line.
WITH orders AS (
    SELECT r.record_id, r.payload, o.business_id, o.location_id, o.business_date
    FROM raw.square_orders AS r
    JOIN staging.stg_square__orders AS o
        ON o.order_id = r.record_id AND o.business_id = r.business_id
),
lines AS (
    SELECT
        record_id, business_id, location_id, business_date, 'sale' AS line_kind,
        NULL AS source_order_id,
        unnest(CAST(json_extract(payload, '$.line_items') AS JSON[])) AS line
    FROM orders
    UNION ALL
    SELECT
        record_id, business_id, location_id, business_date, 'return',
        ret ->> '$.source_order_id',
        unnest(CAST(json_extract(ret, '$.return_line_items') AS JSON[]))
    FROM (
        SELECT record_id, business_id, location_id, business_date,
            unnest(CAST(json_extract(payload, '$.returns') AS JSON[])) AS ret
        FROM orders
    )
),
fields AS (
    SELECT
        record_id, line_kind, source_order_id, business_id, location_id, business_date,
        json_extract(line, ['$.uid', '$.catalog_object_id', '$.name', '$.variation_name',
            '$.quantity', '$.gross_sales_money.amount', '$.gross_return_money.amount',
            '$.total_discount_money.amount', '$.total_tax_money.amount',
            '$.total_money.amount']) AS f
    FROM lines
)
SELECT
    record_id AS order_id,
    f[1] ->> '$' AS line_uid,
    line_kind,
    source_order_id,
    business_id,
    location_id,
    business_date,
    f[2] ->> '$' AS variation_id,
    f[3] ->> '$' AS item_name,
    f[4] ->> '$' AS variation_name,
    TRY_CAST(f[5] ->> '$' AS DECIMAL(18, 3)) AS quantity,
    money(coalesce(json_cents(f[6], '$'), json_cents(f[7], '$'))) AS gross_money,
    money(coalesce(json_cents(f[8], '$'), 0)) AS discount_money,
    money(coalesce(json_cents(f[9], '$'), 0)) AS tax_money,
    money(json_cents(f[10], '$')) AS total_money
FROM fields
