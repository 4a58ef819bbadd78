-- Golden customer records: survivorship by source priority (CRM, then POS, then ledger),
-- then recency. An explicit email opt-out in any system wins. SMS needs an explicit opt-in,
-- which no connected system records yet, so consent_sms is false.
WITH sources AS (
    SELECT 'hubspot' AS source, hubspot_contact_id AS source_id, business_id, email, phone,
           given_name, family_name, loyalty_id, email_optout AS opted_out, updated_at, 1 AS priority
    FROM staging.stg_hubspot__contacts
    UNION ALL
    SELECT 'square', square_customer_id, business_id, email, phone, given_name, family_name,
           loyalty_id, email_unsubscribed, updated_at, 2
    FROM staging.stg_square__customers
    UNION ALL
    SELECT 'xero', xero_contact_id, business_id, email, phone, given_name, family_name,
           NULL, NULL, updated_at, 3
    FROM staging.stg_xero__contacts
),
linked AS (
    SELECT s.*, m.customer_id, m.email_normalized, m.phone_e164, m.loyalty_id_normalized
    FROM sources AS s
    JOIN core.identity_map AS m
        ON m.source = s.source AND m.source_id = s.source_id AND m.business_id = s.business_id
),
locations AS (
    SELECT business_id, min(jurisdiction) AS jurisdiction FROM ref.locations GROUP BY ALL
)
SELECT
    l.customer_id,
    l.business_id,
    arg_min(l.email_normalized, (l.priority, -epoch(l.updated_at)))
        FILTER (WHERE l.email_normalized IS NOT NULL) AS email,
    arg_min(l.phone_e164, (l.priority, -epoch(l.updated_at)))
        FILTER (WHERE l.phone_e164 IS NOT NULL) AS phone,
    arg_min(l.given_name, (l.priority, -epoch(l.updated_at)))
        FILTER (WHERE l.given_name IS NOT NULL) AS given_name,
    arg_min(l.family_name, (l.priority, -epoch(l.updated_at)))
        FILTER (WHERE l.family_name IS NOT NULL) AS family_name,
    arg_min(l.loyalty_id_normalized, (l.priority, -epoch(l.updated_at)))
        FILTER (WHERE l.loyalty_id_normalized IS NOT NULL) AS loyalty_id,
    NOT coalesce(bool_or(l.opted_out), FALSE)
        AND count(l.email_normalized) > 0 AS consent_email,
    FALSE AS consent_sms,
    any_value(loc.jurisdiction) AS jurisdiction,
    count(*) AS source_records,
    max(l.updated_at) AS updated_at
FROM linked AS l
LEFT JOIN locations AS loc ON loc.business_id = l.business_id
GROUP BY l.customer_id, l.business_id
