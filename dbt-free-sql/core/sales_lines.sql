-- Sale and return lines of completed orders (the shared lifecycle state of
-- reference/lifecycle_states.csv, not a vendor's word) with what they post to: the SKU resolved
-- only through the crosswalk (catalog id, then an identical SKU, then for a line without a
-- catalog id its exact POS name), sales tax via the location's jurisdiction and the product's
-- tax category, and the line's cost (product or bundle components, plus modifiers) for margin.
-- A line whose SKU, modifier or tax rate is unmapped keeps NULL accounts and says why in
-- mapping_issue; core.unmapped_items lists them and the journal holds their location-day.
WITH lines AS (
    SELECT l.*, ls.state AS order_state
    FROM staging.stg_square__order_lines AS l
    JOIN staging.stg_square__orders AS o
        ON o.order_id = l.order_id AND o.business_id = l.business_id
    JOIN ref.lifecycle_states AS ls
        ON ls.system = 'square' AND ls.entity = 'order' AND ls.vendor_state = o.state
    WHERE ls.state = 'completed'
),
resolved AS (
    SELECT
        l.*,
        v.sku AS pos_sku,
        coalesce(xi.sku, p.sku, xn.sku) AS sku,
        CASE
            WHEN xi.sku IS NOT NULL THEN 'crosswalk:catalog_id'
            WHEN p.sku IS NOT NULL THEN 'sku'
            WHEN xn.sku IS NOT NULL THEN 'crosswalk:pos_name'
        END AS sku_match_rule
    FROM lines AS l
    LEFT JOIN staging.stg_square__catalog_variations AS v
        ON v.business_id = l.business_id AND v.variation_id = l.variation_id
    LEFT JOIN ref.pos_crosswalk AS xi
        ON xi.business_id = l.business_id AND xi.pos_catalog_id = l.variation_id
    LEFT JOIN ref.products AS p ON p.business_id = l.business_id AND p.sku = v.sku
    LEFT JOIN ref.pos_crosswalk AS xn
        ON xn.business_id = l.business_id AND l.variation_id IS NULL
        AND xn.pos_name = l.item_name
),
modifiers AS (
    SELECT
        m.business_id,
        m.order_id,
        m.line_uid,
        sum(m.total_price_money) AS modifiers_money,
        sum(CAST(rm.cost AS DECIMAL(18, 2)) * m.quantity) AS modifier_unit_cost,
        string_agg(DISTINCT coalesce(m.modifier_id, m.name), ', ')
            FILTER (WHERE rm.modifier_id IS NULL) AS unmapped_modifiers
    FROM staging.stg_square__order_line_modifiers AS m
    LEFT JOIN ref.modifiers AS rm
        ON rm.business_id = m.business_id AND rm.modifier_id = m.modifier_id
    GROUP BY ALL
)
SELECT
    r.order_id,
    r.line_uid,
    r.line_kind,
    r.source_order_id,
    r.business_id,
    r.location_id,
    r.business_date,
    r.order_state,
    r.variation_id,
    r.item_name AS pos_name,
    r.pos_sku,
    r.sku,
    r.sku_match_rule,
    p.item_code,
    p.is_bundle,
    p.revenue_account,
    p.tax_category,
    loc.jurisdiction,
    tx.payable_account AS tax_account,
    r.quantity,
    r.gross_money,
    r.discount_money,
    r.tax_money,
    r.total_money,
    CAST(coalesce(m.modifiers_money, 0) AS DECIMAL(18, 2)) AS modifiers_money,
    -- Return lines carry no modifier detail, so their cost is the product's alone.
    CAST(r.quantity * (p.unit_cost + coalesce(m.modifier_unit_cost, 0)) AS DECIMAL(18, 2))
        AS cost_money,
    CASE
        WHEN r.sku IS NULL THEN 'unmapped SKU'
        WHEN m.unmapped_modifiers IS NOT NULL
            THEN 'unmapped modifier ' || m.unmapped_modifiers
        WHEN tx.payable_account IS NULL AND (p.taxable OR r.tax_money <> 0)
            THEN 'no tax rate for ' || coalesce(loc.jurisdiction, '?') || ' ' || p.tax_category
    END AS mapping_issue
FROM resolved AS r
LEFT JOIN core.products AS p ON p.business_id = r.business_id AND p.sku = r.sku
LEFT JOIN modifiers AS m
    ON r.line_kind = 'sale' AND m.business_id = r.business_id AND m.order_id = r.order_id
    AND m.line_uid = r.line_uid
LEFT JOIN ref.locations AS loc ON loc.location_id = r.location_id
LEFT JOIN ref.taxes AS tx
    ON tx.jurisdiction = loc.jurisdiction
    AND tx.tax_category = p.tax_category
    AND r.business_date >= CAST(tx.effective_from AS DATE)
    AND (tx.effective_to IS NULL OR r.business_date < CAST(tx.effective_to AS DATE))
