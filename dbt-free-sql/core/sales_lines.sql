-- Sale and return lines of completed orders with the accounts they post to: revenue via the
-- product crosswalk, sales tax via the location's jurisdiction and the product's tax category.
-- Open, draft and canceled orders are not sales (yet) and stay out.
SELECT
    l.order_id,
    l.line_uid,
    l.line_kind,
    l.source_order_id,
    l.business_id,
    l.location_id,
    l.business_date,
    l.variation_id,
    p.sku,
    p.revenue_account,
    p.tax_category,
    loc.jurisdiction,
    tx.payable_account AS tax_account,
    l.quantity,
    l.gross_money,
    l.discount_money,
    l.tax_money,
    l.total_money
FROM staging.stg_square__order_lines AS l
JOIN staging.stg_square__orders AS o
    ON o.order_id = l.order_id AND o.business_id = l.business_id AND o.state = 'COMPLETED'
LEFT JOIN core.products AS p
    ON p.business_id = l.business_id AND p.square_variation_id = l.variation_id
LEFT JOIN ref.locations AS loc ON loc.location_id = l.location_id
LEFT JOIN ref.taxes AS tx
    ON tx.jurisdiction = loc.jurisdiction
    AND tx.tax_category = p.tax_category
    AND l.business_date >= CAST(tx.effective_from AS DATE)
    AND (tx.effective_to IS NULL OR l.business_date < CAST(tx.effective_to AS DATE))
