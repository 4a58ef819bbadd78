-- Segment vip_complements: a VIP (marts.customer_facts' tier today) who bought a brand for the
-- first time enters on that day, for window_days days (reference/segments.csv), with pieces
-- that go with it: the brand's complements (reference/complements.csv, by rank), else the
-- three products most often bought in the same orders as the brand by the business's customers
-- (ties by name), leaving out the brand's own products and anything the customer already
-- bought. Without a suggestion there is nothing to send, so no entry.
WITH firsts AS (
    SELECT business_id, customer_id, brand, min(business_date) AS first_bought
    FROM core.customer_purchases
    WHERE line_kind = 'sale' AND brand IS NOT NULL AND counts_in_ltv
    GROUP BY ALL
),
owned AS (
    SELECT DISTINCT business_id, customer_id, product_name
    FROM core.customer_purchases
    WHERE line_kind = 'sale'
),
curated AS (
    SELECT c.business_id, c.brand, p.name AS product_name, min(CAST(c.rank AS INTEGER)) AS rank
    FROM ref.complements AS c
    JOIN ref.products AS p ON p.business_id = c.business_id AND p.sku = c.complement_sku
    GROUP BY ALL
),
co_bought AS (
    SELECT
        b.business_id,
        b.brand,
        o.product_name,
        row_number() OVER (
            PARTITION BY b.business_id, b.brand
            ORDER BY count(DISTINCT o.order_id) DESC, o.product_name
        ) AS rank
    FROM core.customer_purchases AS b
    JOIN core.customer_purchases AS o
        ON o.business_id = b.business_id AND o.order_id = b.order_id
        AND o.line_kind = 'sale' AND o.counts_in_ltv
        AND coalesce(o.brand, '') <> b.brand
    WHERE b.line_kind = 'sale' AND b.brand IS NOT NULL
    GROUP BY b.business_id, b.brand, o.product_name
),
suggested AS (
    SELECT business_id, brand, product_name, rank FROM curated
    UNION ALL
    SELECT business_id, brand, product_name, rank FROM co_bought
    WHERE rank <= 3 AND (business_id, brand) NOT IN (SELECT business_id, brand FROM curated)
),
per_entry AS (
    SELECT
        f.business_id,
        f.customer_id,
        f.brand,
        f.first_bought,
        string_agg(s.product_name, ';' ORDER BY s.rank, s.product_name) AS suggestions
    FROM firsts AS f
    JOIN marts.customer_facts AS cf
        ON cf.business_id = f.business_id AND cf.customer_id = f.customer_id
    JOIN suggested AS s ON s.business_id = f.business_id AND s.brand = f.brand
    WHERE cf.vip_tier IS NOT NULL
        AND (f.business_id, f.customer_id, s.product_name)
            NOT IN (SELECT business_id, customer_id, product_name FROM owned)
    GROUP BY ALL
)
SELECT
    s.segment,
    e.business_id,
    e.customer_id,
    e.first_bought AS since,
    e.first_bought + CAST(s.window_days AS INTEGER) AS until,
    s.segment || ':' || e.customer_id || ':' || e.brand AS member_key,
    'first purchase of ' || e.brand AS reason,
    e.suggestions
FROM per_entry AS e
JOIN ref.segments AS s ON s.segment = 'vip_complements'
