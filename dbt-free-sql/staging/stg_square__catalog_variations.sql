-- Square catalog: one row per sellable item variation (the POS's idea of a SKU), with its
-- item's category (the first of the item's categories, else the legacy category_id, named by
-- the CATEGORY object) and when the item was created or last changed (item_updated_at: Square's
-- CatalogObject carries updated_at; created_at is used instead where Square sends one).
WITH items AS (
    SELECT business_id, payload
    FROM raw.square_catalog
    WHERE payload ->> '$.type' = 'ITEM'
),
categories AS (
    SELECT business_id, payload ->> '$.id' AS category_id,
        payload ->> '$.category_data.name' AS category
    FROM raw.square_catalog
    WHERE payload ->> '$.type' = 'CATEGORY'
),
variations AS (
    SELECT
        business_id,
        payload ->> '$.id' AS item_id,
        payload ->> '$.item_data.name' AS item_name,
        coalesce(payload ->> '$.item_data.categories[0].id', payload ->> '$.item_data.category_id')
            AS category_id,
        TRY_CAST(coalesce(payload ->> '$.created_at', payload ->> '$.updated_at') AS TIMESTAMPTZ)
            AS item_updated_at,
        unnest(CAST(json_extract(payload, '$.item_data.variations') AS JSON[])) AS v
    FROM items
)
SELECT
    v.v ->> '$.id' AS variation_id,
    v.business_id,
    v.item_id,
    v.item_name,
    v.v ->> '$.item_variation_data.name' AS variation_name,
    v.v ->> '$.item_variation_data.sku' AS sku,
    v.v ->> '$.item_variation_data.upc' AS upc,
    money(json_cents(v.v, '$.item_variation_data.price_money.amount')) AS price_money,
    c.category,
    v.item_updated_at
FROM variations AS v
LEFT JOIN categories AS c ON c.business_id = v.business_id AND c.category_id = v.category_id
