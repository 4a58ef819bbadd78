-- Square catalog modifiers (MODIFIER objects nested in MODIFIER_LISTs): the POS's add-ons.
WITH lists AS (
    SELECT
        business_id,
        record_id AS modifier_list_id,
        payload ->> '$.modifier_list_data.name' AS modifier_list,
        unnest(CAST(coalesce(json_extract(payload, '$.modifier_list_data.modifiers'), '[]')
            AS JSON[])) AS m
    FROM raw.square_catalog
    WHERE payload ->> '$.type' = 'MODIFIER_LIST'
)
SELECT
    m ->> '$.id' AS modifier_id,
    business_id,
    modifier_list_id,
    modifier_list,
    m ->> '$.modifier_data.name' AS name,
    money(json_cents(m, '$.modifier_data.price_money.amount')) AS price_money
FROM lists
