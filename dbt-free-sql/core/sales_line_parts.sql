-- Where each completed sale (or return) line's revenue goes: the product's own account (share 1), or a
-- bundle's components (reference/bundles.csv shares, which sum to exactly 1), each taking its
-- share of what is left after the modifiers; each modifier goes to its own account
-- (reference/modifiers.csv) at the amount the POS charged. pipeline/posting.py splits the
-- line's gross, discount and tax over these parts in exact cents. An unmapped part has a NULL
-- account and holds its order out of the journal.
WITH lines AS (
    SELECT * FROM core.sales_lines
),
shared AS (
    SELECT
        l.business_id, l.location_id, l.business_date, l.order_id, l.line_uid,
        'item' AS part_kind,
        coalesce(l.sku, l.variation_id, l.pos_name) AS part_key,
        l.revenue_account,
        CAST(NULL AS DECIMAL(18, 2)) AS amount_money,
        CAST(1 AS DECIMAL(9, 6)) AS revenue_share,
        CAST(l.quantity * p.unit_cost AS DECIMAL(18, 2)) AS cost_money
    FROM lines AS l
    LEFT JOIN core.products AS p ON p.business_id = l.business_id AND p.sku = l.sku
    WHERE NOT coalesce(p.is_bundle, FALSE)
    UNION ALL
    SELECT
        l.business_id, l.location_id, l.business_date, l.order_id, l.line_uid,
        'component',
        b.component_sku,
        b.revenue_account,
        NULL,
        CAST(b.revenue_share AS DECIMAL(9, 6)),
        CAST(l.quantity * CAST(b.cost AS DECIMAL(18, 2)) AS DECIMAL(18, 2))
    FROM lines AS l
    JOIN ref.bundles AS b ON b.business_id = l.business_id AND b.bundle_sku = l.sku
),
fixed AS (
    SELECT
        l.business_id, l.location_id, l.business_date, l.order_id, l.line_uid,
        'modifier' AS part_kind,
        coalesce(m.modifier_id, m.name) AS part_key,
        rm.revenue_account,
        m.total_price_money AS amount_money,
        CAST(NULL AS DECIMAL(9, 6)) AS revenue_share,
        CAST(CAST(rm.cost AS DECIMAL(18, 2)) * m.quantity * l.quantity AS DECIMAL(18, 2))
            AS cost_money,
        m.modifier_no
    FROM lines AS l
    JOIN staging.stg_square__order_line_modifiers AS m
        ON l.line_kind = 'sale' AND m.business_id = l.business_id AND m.order_id = l.order_id
        AND m.line_uid = l.line_uid
    LEFT JOIN ref.modifiers AS rm
        ON rm.business_id = m.business_id AND rm.modifier_id = m.modifier_id
)
SELECT
    *,
    row_number() OVER (PARTITION BY business_id, order_id, line_uid ORDER BY part_key) AS part_no
FROM shared
UNION ALL
SELECT
    * EXCLUDE (modifier_no),
    1000 + modifier_no AS part_no
FROM fixed
