-- The purchase lines a customer's facts and lifetime value count: sale and return lines of
-- completed orders linked to a resolved customer (a return order's own customer, else that of
-- the order it returns), with what the line is (category from the Square catalog, size = the
-- variation's name when its item comes in more than one, brand from reference/product_brands).
-- net_amount is the line's gross less its discount, before tax: what the journal credits to
-- revenue for a sale (gross sales less the discount line) and debits for a return (to returns,
-- or to goodwill when the refund's reason says so).
-- counts_in_ltv: the line sells into a revenue account (a gift card or deposit sold is owed
-- back, not revenue; an unmapped line holds its order out of the journal), and a return line
-- only once money actually went back (a completed refund of its return order) or it was part
-- of an exchange; a pending or failed refund lowers nothing.
WITH orders AS (
    SELECT o.order_id, o.business_id, o.square_customer_id, o.created_at
    FROM staging.stg_square__orders AS o
),
refunded AS (
    SELECT DISTINCT business_id, order_id
    FROM core.tender_facts
    WHERE fact_kind = 'refund' AND order_id IS NOT NULL
),
item_sizes AS (
    SELECT business_id, item_id, count(*) > 1 AS sized
    FROM staging.stg_square__catalog_variations
    GROUP BY ALL
)
SELECT
    l.business_id,
    m.customer_id,
    l.order_id,
    l.line_uid,
    l.line_kind,
    l.source_order_id,
    l.location_id,
    l.business_date,
    o.created_at AS ordered_at,
    l.sku,
    p.name AS product_name,
    v.item_id,
    v.category,
    CASE WHEN s.sized THEN v.variation_name END AS size,
    b.brand,
    l.quantity,
    CAST(l.gross_money - l.discount_money AS DECIMAL(18, 2)) AS net_amount,
    l.tax_money,
    (a.class = 'REVENUE' OR coalesce(l.is_bundle, FALSE))
        AND l.mapping_issue IS NULL
        AND (
            l.line_kind = 'sale'
            OR r.order_id IS NOT NULL
            OR EXISTS (
                SELECT 1 FROM core.sales_lines AS x
                WHERE x.business_id = l.business_id AND x.order_id = l.order_id
                    AND x.line_kind = 'sale'
            )
        ) AS counts_in_ltv
FROM core.sales_lines AS l
JOIN orders AS o ON o.business_id = l.business_id AND o.order_id = l.order_id
LEFT JOIN orders AS src ON src.business_id = l.business_id AND src.order_id = l.source_order_id
JOIN core.identity_map AS m
    ON m.source = 'square' AND m.business_id = l.business_id
    AND m.source_id = coalesce(o.square_customer_id, src.square_customer_id)
LEFT JOIN ref.products AS p ON p.business_id = l.business_id AND p.sku = l.sku
LEFT JOIN ref.accounts AS a ON a.account_code = l.revenue_account
LEFT JOIN staging.stg_square__catalog_variations AS v
    ON v.business_id = l.business_id AND v.variation_id = l.variation_id
LEFT JOIN item_sizes AS s ON s.business_id = v.business_id AND s.item_id = v.item_id
LEFT JOIN ref.product_brands AS b ON b.business_id = l.business_id AND b.sku = l.sku
LEFT JOIN refunded AS r ON r.business_id = l.business_id AND r.order_id = l.order_id
