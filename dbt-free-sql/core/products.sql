-- One product list: the ops crosswalk (reference/products.csv) matched to the POS catalog by SKU.
-- POS names never decide the account: only the crosswalk row does.
SELECT
    p.business_id,
    p.sku,
    p.name,
    p.variation,
    p.barcode,
    p.tax_category,
    p.uom,
    p.revenue_account,
    CAST(p.price AS DECIMAL(18, 2)) AS list_price,
    v.variation_id AS square_variation_id,
    v.price_money AS pos_price
FROM ref.products AS p
LEFT JOIN staging.stg_square__catalog_variations AS v
    ON v.business_id = p.business_id AND v.sku = p.sku
