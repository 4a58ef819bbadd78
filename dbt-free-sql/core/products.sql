-- The catalog: one row per SKU of reference/products.csv (variation, Xero item code, GTIN
-- barcode, tax category, unit, revenue account, unit cost), with its Square variation. A POS
-- variation reaches a SKU only through reference/pos_crosswalk.csv (by catalog id) or an
-- identical SKU, never by a look-alike name. A bundle's revenue is split by its components
-- (reference/bundles.csv), so its own revenue_account is NULL and its cost is theirs summed.
-- The POS's barcode is flagged when it is not a valid GTIN or disagrees with ours, never used.
WITH pos AS (
    SELECT
        coalesce(x.sku, p.sku) AS sku,
        v.business_id,
        v.variation_id,
        v.sku AS pos_sku,
        v.item_name AS pos_name,
        v.upc AS pos_barcode,
        v.price_money AS pos_price,
        CASE WHEN x.sku IS NOT NULL THEN 'crosswalk:catalog_id' ELSE 'sku' END AS pos_match_rule
    FROM staging.stg_square__catalog_variations AS v
    LEFT JOIN ref.pos_crosswalk AS x
        ON x.business_id = v.business_id AND x.pos_catalog_id = v.variation_id
    LEFT JOIN ref.products AS p ON p.business_id = v.business_id AND p.sku = v.sku
    WHERE coalesce(x.sku, p.sku) IS NOT NULL
    -- Several POS variations may sell one SKU; the catalog shows the first by id.
    QUALIFY row_number() OVER (PARTITION BY v.business_id, coalesce(x.sku, p.sku)
                               ORDER BY v.variation_id) = 1
),
bundle_costs AS (
    SELECT business_id, bundle_sku AS sku, count(*) AS components,
           sum(CAST(cost AS DECIMAL(18, 2))) AS cost
    FROM ref.bundles
    GROUP BY ALL
)
SELECT
    p.business_id,
    p.sku,
    p.name,
    p.variation,
    p.item_code,
    p.barcode,
    p.tax_category,
    CAST(tc.taxable AS BOOLEAN) AS taxable,
    p.uom,
    p.revenue_account,
    b.sku IS NOT NULL AS is_bundle,
    coalesce(b.components, 0) AS bundle_components,
    CAST(p.price AS DECIMAL(18, 2)) AS list_price,
    CAST(coalesce(CAST(p.cost AS DECIMAL(18, 2)), b.cost) AS DECIMAL(18, 2)) AS unit_cost,
    pos.variation_id AS square_variation_id,
    pos.pos_sku,
    pos.pos_name,
    pos.pos_match_rule,
    pos.pos_price,
    pos.pos_barcode,
    CASE
        WHEN pos.pos_barcode IS NULL OR pos.pos_barcode = '' THEN NULL
        WHEN NOT gtin_valid(pos.pos_barcode) THEN 'POS barcode is not a valid GTIN'
        WHEN pos.pos_barcode <> coalesce(p.barcode, '') THEN 'POS barcode differs from products.csv'
    END AS pos_barcode_issue
FROM ref.products AS p
LEFT JOIN ref.tax_categories AS tc USING (tax_category)
LEFT JOIN bundle_costs AS b ON b.business_id = p.business_id AND b.sku = p.sku
LEFT JOIN pos ON pos.business_id = p.business_id AND pos.sku = p.sku
