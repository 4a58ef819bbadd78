-- Square catalog: one row per sellable item variation (the POS's idea of a SKU).
WITH items AS (
    SELECT business_id, payload
    FROM raw.square_catalog
    WHERE payload ->> '$.type' = 'ITEM'
),
variations AS (
    SELECT
        business_id,
        payload ->> '$.item_data.name' AS item_name,
        unnest(CAST(json_extract(payload, '$.item_data.variations') AS JSON[])) AS v
    FROM items
)
SELECT
    v ->> '$.id' AS variation_id,
    business_id,
    item_name,
    v ->> '$.item_variation_data.name' AS variation_name,
    v ->> '$.item_variation_data.sku' AS sku,
    v ->> '$.item_variation_data.upc' AS upc,
    money(json_cents(v, '$.item_variation_data.price_money.amount')) AS price_money
FROM variations
