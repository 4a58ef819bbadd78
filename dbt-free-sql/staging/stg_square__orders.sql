-- Square orders, one row per order (sales, itemized returns and exchanges), money in
-- DECIMAL(18,2). An order whose money is not integer minor units, on the order or on any of
-- its lines, or whose total does not add up to its sale lines, goes to ops.dead_letter.
-- money_currencies lists each currency used by the order's money (every "currency" anywhere in
-- it) and by its payments and refunds, each with a field that carries it; posting holds an order
-- whose currency is not its business's (pipeline/accounting/holds.py).
-- The currencies come from one scan of each payload's text (a regular expression over the JSON,
-- which escapes no quote inside a currency code), not from json_tree: walking every node of every
-- order, payment and refund was most of staging's time (docs/benchmarks.md). The field named is
-- the first of the money fields posting books from that carries the currency (the order's total
-- first), else the key of the object that holds it (e.g. applied_money).
WITH found AS (
    -- Each record with its money paths and, in one parse, the currency at each of them.
    SELECT r.record_id, r.business_id, 'field ' AS prefix, r.payload,
        ['total_money', 'total_tax_money', 'total_discount_money', 'total_tip_money',
         'total_service_charge_money', 'return_amounts.total_money',
         'return_amounts.tip_money'] AS paths,
        json_extract_string(r.payload, ['$.total_money.currency', '$.total_tax_money.currency',
            '$.total_discount_money.currency', '$.total_tip_money.currency',
            '$.total_service_charge_money.currency', '$.return_amounts.total_money.currency',
            '$.return_amounts.tip_money.currency']) AS path_currencies
    FROM raw.square_orders AS r
    UNION ALL
    SELECT p.payload ->> '$.order_id', p.business_id, 'payment ' || p.record_id || ' field ',
        p.payload, ['amount_money', 'tip_money', 'total_money'],
        json_extract_string(p.payload, ['$.amount_money.currency', '$.tip_money.currency',
            '$.total_money.currency'])
    FROM raw.square_payments AS p
    UNION ALL
    SELECT f.payload ->> '$.order_id', f.business_id, 'refund ' || f.record_id || ' field ',
        f.payload, ['amount_money'], json_extract_string(f.payload, ['$.amount_money.currency'])
    FROM raw.square_refunds AS f
),
money_fields AS (
    -- Each currency a record's text holds, named by the first listed path that carries it.
    SELECT record_id, business_id, currency,
        prefix || coalesce(
            paths[list_position(path_currencies, currency)],
            -- Else the key of the innermost object holding it (e.g. applied_money), read only
            -- for the rare currency found nowhere else (COALESCE evaluates it only then).
            list_filter(
                [regexp_extract(m, '"(\w+)"\s*:\s*\{[^{}]*"currency"\s*:\s*"([^"\\]*)"',
                    ['key', 'currency'])
                 FOR m IN regexp_extract_all(CAST(payload AS VARCHAR),
                    '"(\w+)"\s*:\s*\{[^{}]*"currency"\s*:\s*"([^"\\]*)"', 0)],
                lambda o: o.currency = currency)[1].key,
            '(other money fields)') AS field
    FROM (
        SELECT *, unnest(list_distinct(regexp_extract_all(CAST(payload AS VARCHAR),
            '"currency"\s*:\s*"([^"\\]*)"', 1))) AS currency
        FROM found
    )
    WHERE record_id IS NOT NULL
),
currencies AS (
    SELECT record_id, business_id,
        list({'currency': currency, 'field': field} ORDER BY currency) AS money_currencies
    FROM (
        -- The order's own field before a payment's or a refund's, as before.
        SELECT record_id, business_id, currency, min(field) AS field
        FROM money_fields
        GROUP BY ALL
    )
    GROUP BY ALL
),
lines AS (
    SELECT
        record_id,
        business_id,
        unnest(CAST(coalesce(json_extract(payload, '$.line_items'), '[]') AS JSON[])) AS line,
        'sale' AS line_kind
    FROM raw.square_orders
    UNION ALL
    SELECT
        record_id,
        business_id,
        unnest(CAST(coalesce(json_extract(ret, '$.return_line_items'), '[]') AS JSON[])),
        'return'
    FROM (
        SELECT
            record_id,
            business_id,
            unnest(CAST(coalesce(json_extract(payload, '$.returns'), '[]') AS JSON[])) AS ret
        FROM raw.square_orders
    )
),
line_money AS (
    SELECT
        record_id,
        business_id,
        coalesce(sum(json_cents(m[1], '$')) FILTER (WHERE line_kind = 'sale'), 0)
            AS line_total_cents,
        count(*) FILTER (
            WHERE json_cents(m[1], '$') IS NULL
            OR coalesce(json_cents(m[2], '$'), json_cents(m[3], '$')) IS NULL
            -- Present (even as JSON null) but not integer minor units.
            OR (m[4] IS NOT NULL AND json_cents(m[4], '$') IS NULL)
            OR (m[5] IS NOT NULL AND json_cents(m[5], '$') IS NULL)
        ) AS bad_lines
    FROM (
        -- One parse of each line for all its amounts.
        SELECT record_id, business_id, line_kind,
            json_extract(line, ['$.total_money.amount', '$.gross_sales_money.amount',
                '$.gross_return_money.amount', '$.total_tax_money.amount',
                '$.total_discount_money.amount']) AS m
        FROM lines
    )
    GROUP BY ALL
),
parsed AS (
    -- One parse of each payload for every order-level field: each -> or json_cents on the
    -- whole payload parsed it again (about twenty times an order).
    SELECT record_id, business_id, location_id, business_date, payload,
        json_extract(payload, ['$.customer_id', '$.state', '$.created_at', '$.updated_at',
            '$.returns', '$.line_items', '$.total_money.amount', '$.total_tax_money.amount',
            '$.total_discount_money.amount', '$.total_tip_money.amount',
            '$.total_service_charge_money.amount', '$.return_amounts.total_money.amount',
            '$.return_amounts.tip_money.amount']) AS f
    FROM raw.square_orders
),
typed AS (
    SELECT
        r.record_id,
        r.business_id,
        r.location_id,
        r.business_date,
        r.payload,
        r.f[1] ->> '$' AS square_customer_id,
        r.f[2] ->> '$' AS state,
        TRY_CAST(r.f[3] ->> '$' AS TIMESTAMPTZ) AS created_at,
        TRY_CAST(r.f[4] ->> '$' AS TIMESTAMPTZ) AS updated_at,
        coalesce(json_array_length(r.f[5]), 0) > 0 AS has_returns,
        coalesce(json_array_length(r.f[6]), 0) AS line_count,
        json_cents(r.f[7], '$') AS total_cents,
        coalesce(json_cents(r.f[8], '$'), 0) AS tax_cents,
        coalesce(json_cents(r.f[9], '$'), 0) AS discount_cents,
        coalesce(json_cents(r.f[10], '$'), 0) AS tip_cents,
        coalesce(json_cents(r.f[11], '$'), 0) AS service_charge_cents,
        coalesce(json_cents(r.f[12], '$'), 0) AS return_total_cents,
        coalesce(json_cents(r.f[13], '$'), 0) AS return_tip_cents,
        coalesce(m.line_total_cents, 0) AS line_total_cents,
        coalesce(m.bad_lines, 0) AS bad_lines,
        c.money_currencies
    FROM parsed AS r
    LEFT JOIN line_money AS m USING (record_id, business_id)
    LEFT JOIN currencies AS c USING (record_id, business_id)
)
SELECT
    record_id AS order_id,
    business_id,
    location_id,
    business_date,
    square_customer_id,
    state,
    created_at,
    updated_at,
    has_returns AND line_count = 0 AS is_return,
    has_returns,
    line_count,
    money(total_cents) AS total_money,
    money(tax_cents) AS tax_money,
    money(discount_cents) AS discount_money,
    money(tip_cents) AS tip_money,
    money(service_charge_cents) AS service_charge_money,
    money(return_total_cents) AS return_total_money,
    money(return_tip_cents) AS return_tip_money,
    money_currencies,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN created_at IS NULL THEN 'field created_at is not a timestamp'
        WHEN total_cents IS NULL THEN 'field total_money.amount is not integer minor units: '
            || coalesce(payload ->> '$.total_money.amount', 'missing')
        WHEN bad_lines > 0 THEN bad_lines || ' line(s) with money that is not integer minor units'
        WHEN state = 'COMPLETED'
            AND line_total_cents + service_charge_cents + tip_cents <> total_cents
            THEN 'order total ' || total_cents || ' <> lines ' || line_total_cents
                || ' + service charges ' || service_charge_cents || ' + tip ' || tip_cents
    END AS _dlq_reason
FROM typed
