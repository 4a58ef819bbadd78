-- Everything seen in the data that the reference dictionaries do not map: POS SKUs and
-- modifiers, tax rates, tenders (core.tender_facts without a clearing account) and lifecycle
-- states. One row per item, place and business date, with how many records carry it. A row
-- here means postings wait: the journal holds that location's day and a blocking check lists
-- the items.
WITH lines AS (
    SELECT l.*, coalesce(l.pos_sku, l.variation_id, l.pos_name) AS pos_ref
    FROM core.sales_lines AS l
),
items AS (
    SELECT
        'sku' AS kind, business_id, location_id, business_date,
        coalesce(pos_sku, variation_id, pos_name) AS item,
        'variation ' || coalesce(variation_id, '-') || ', POS name ' || coalesce(pos_name, '-')
            AS detail,
        count(*) AS seen
    FROM lines
    WHERE sku IS NULL
    GROUP BY ALL
    UNION ALL
    SELECT
        'modifier', m.business_id, m.location_id, m.business_date,
        coalesce(m.modifier_id, m.name),
        'POS name ' || coalesce(m.name, '-'),
        count(*)
    FROM staging.stg_square__order_line_modifiers AS m
    JOIN lines AS l
        ON l.business_id = m.business_id AND l.order_id = m.order_id
        AND l.line_uid = m.line_uid AND l.line_kind = 'sale'
    LEFT JOIN ref.modifiers AS rm
        ON rm.business_id = m.business_id AND rm.modifier_id = m.modifier_id
    WHERE rm.modifier_id IS NULL
    GROUP BY ALL
    UNION ALL
    SELECT
        'tax', business_id, location_id, business_date,
        coalesce(jurisdiction, '?') || ' ' || tax_category,
        'no rate in taxes.csv on that date',
        count(*)
    FROM lines
    WHERE sku IS NOT NULL AND mapping_issue LIKE 'no tax rate%'
    GROUP BY ALL
    UNION ALL
    SELECT
        'tender', business_id, location_id, business_date,
        coalesce(source_type, '?') || ' ' || coalesce(card_brand, ''),
        fact_kind || ' without a clearing account in tenders.csv',
        count(*)
    FROM core.tender_facts
    WHERE clearing_account IS NULL
    GROUP BY ALL
    UNION ALL
    SELECT
        'lifecycle_state', o.business_id, o.location_id, o.business_date,
        'square order ' || coalesce(o.state, 'NULL'),
        'not in lifecycle_states.csv',
        count(*)
    FROM staging.stg_square__orders AS o
    LEFT JOIN ref.lifecycle_states AS ls
        ON ls.system = 'square' AND ls.entity = 'order' AND ls.vendor_state = o.state
    WHERE ls.state IS NULL
    GROUP BY ALL
    UNION ALL
    SELECT
        'lifecycle_state', p.business_id, p.location_id, p.business_date,
        'square payment ' || coalesce(p.status, 'NULL'),
        'not in lifecycle_states.csv',
        count(*)
    FROM staging.stg_square__payments AS p
    LEFT JOIN ref.lifecycle_states AS ls
        ON ls.system = 'square' AND ls.entity = 'payment' AND ls.vendor_state = p.status
    WHERE ls.state IS NULL
    GROUP BY ALL
    UNION ALL
    SELECT
        'lifecycle_state', r.business_id, r.location_id, r.business_date,
        'square refund ' || coalesce(r.status, 'NULL'),
        'not in lifecycle_states.csv',
        count(*)
    FROM staging.stg_square__refunds AS r
    LEFT JOIN ref.lifecycle_states AS ls
        ON ls.system = 'square' AND ls.entity = 'refund' AND ls.vendor_state = r.status
    WHERE ls.state IS NULL
    GROUP BY ALL
    UNION ALL
    SELECT
        'lifecycle_state', d.business_id, NULL, NULL,
        'hubspot deal ' || coalesce(d.deal_stage, 'NULL'),
        'not in lifecycle_states.csv',
        count(*)
    FROM staging.stg_hubspot__deals AS d
    LEFT JOIN ref.lifecycle_states AS ls
        ON ls.system = 'hubspot' AND ls.entity = 'deal' AND ls.vendor_state = d.deal_stage
    WHERE ls.state IS NULL
    GROUP BY ALL
    UNION ALL
    SELECT
        'lifecycle_state', i.business_id, NULL, NULL,
        'xero invoice ' || coalesce(i.status, 'NULL'),
        'not in lifecycle_states.csv',
        count(*)
    FROM staging.stg_xero__invoices AS i
    LEFT JOIN ref.lifecycle_states AS ls
        ON ls.system = 'xero' AND ls.entity = 'invoice' AND ls.vendor_state = i.status
    WHERE ls.state IS NULL
    GROUP BY ALL
)
SELECT
    kind,
    business_id,
    location_id,
    business_date,
    item,
    detail,
    CAST(seen AS BIGINT) AS seen,
    'unmapped '
        || CASE kind WHEN 'sku' THEN 'SKU' WHEN 'lifecycle_state' THEN 'lifecycle state'
                     ELSE kind END
        || ' ' || business_id || ':' || item || ' (' || detail || ') seen in ' || seen
        || CASE kind WHEN 'sku' THEN ' line(s)' WHEN 'modifier' THEN ' line(s)'
                     WHEN 'tax' THEN ' line(s)' ELSE ' record(s)' END
        || coalesce(' at ' || location_id || ' on ' || business_date, '') AS message
FROM items
ORDER BY ALL
