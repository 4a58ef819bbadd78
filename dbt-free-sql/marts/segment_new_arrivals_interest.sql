-- Segment new_arrivals_interest: items new in the Square catalog (the item's created_at where
-- Square sends it, else its updated_at, as a local date) reach customers who bought in the
-- item's category and, for an item that comes in sizes, bought one of its sizes; items they
-- already bought are left out. One entry per customer and arrival day, open window_days days
-- (reference/segments.csv), naming the new items in suggestions.
WITH arrivals AS (
    SELECT
        v.business_id,
        v.item_id,
        v.item_name,
        v.category,
        CAST(timezone(a.timezone, v.item_updated_at) AS DATE) AS arrived,
        count(*) > 1 AS sized,
        list(v.variation_name) AS sizes
    FROM staging.stg_square__catalog_variations AS v
    JOIN core.crm_as_of AS a ON a.business_id = v.business_id
    WHERE v.category IS NOT NULL AND v.item_updated_at IS NOT NULL
    GROUP BY ALL
),
interests AS (
    SELECT
        business_id,
        customer_id,
        list(DISTINCT category) FILTER (WHERE category IS NOT NULL) AS categories,
        list(DISTINCT size) FILTER (WHERE size IS NOT NULL) AS sizes,
        list(DISTINCT item_id) FILTER (WHERE item_id IS NOT NULL) AS items,
        min(business_date) AS first_purchase
    FROM core.customer_purchases
    WHERE line_kind = 'sale' AND counts_in_ltv
    GROUP BY ALL
),
matches AS (
    SELECT i.business_id, i.customer_id, n.arrived, n.item_name
    FROM interests AS i
    JOIN arrivals AS n ON n.business_id = i.business_id
    WHERE list_contains(i.categories, n.category)
        AND (NOT n.sized OR len(list_intersect(i.sizes, n.sizes)) > 0)
        AND NOT list_contains(i.items, n.item_id)
        -- A customer is told of what arrived after they became one.
        AND n.arrived >= i.first_purchase
)
SELECT
    s.segment,
    m.business_id,
    m.customer_id,
    m.arrived AS since,
    m.arrived + CAST(s.window_days AS INTEGER) AS until,
    s.segment || ':' || m.customer_id || ':' || strftime(m.arrived, '%Y-%m-%d') AS member_key,
    'new in a category and size they buy' AS reason,
    string_agg(DISTINCT m.item_name, ';' ORDER BY m.item_name) AS suggestions
FROM matches AS m
JOIN ref.segments AS s ON s.segment = 'new_arrivals_interest'
GROUP BY ALL
