-- Golden customer records, one per customer_id.
-- Survivorship: each field from the best source that has it (CRM, then POS, then ledger), the
-- most recently updated record first within a source.
-- Consent: an explicit email opt-out in any system wins over everything. Without one, email
-- consent rests on the customer's jurisdiction: US (CAN-SPAM) allows marketing to customers
-- until they opt out; elsewhere (GDPR, CASL) it needs an explicit opt-in, which no connected
-- system records yet, so it is false there. SMS always needs an explicit opt-in (TCPA), which no
-- connected system records, so consent_sms is false.
-- Jurisdiction: country and state from the customer's own address when any record has one,
-- else the business's home location.
WITH sources AS (
    SELECT 'hubspot' AS source, hubspot_contact_id AS source_id, business_id, email, phone,
           given_name, family_name, loyalty_id, region, country,
           email_optout AS opted_out, updated_at, 1 AS priority
    FROM staging.stg_hubspot__contacts
    UNION ALL
    SELECT 'square', square_customer_id, business_id, email, phone, given_name, family_name,
           loyalty_id, region, country, email_unsubscribed, updated_at, 2
    FROM staging.stg_square__customers
    UNION ALL
    SELECT 'xero', xero_contact_id, business_id, email, phone, given_name, family_name,
           NULL, region, country, NULL, updated_at, 3
    FROM staging.stg_xero__contacts
),
linked AS (
    SELECT
        s.*,
        m.customer_id,
        m.email_normalized,
        m.phone_e164,
        m.loyalty_id_normalized,
        m.postcode_normalized,
        CASE
            WHEN upper(s.country) IN ('US', 'USA', 'UNITED STATES', 'UNITED STATES OF AMERICA')
                THEN 'US'
            WHEN length(s.country) = 2 THEN upper(s.country)
        END AS country_code,
        -- Rank of this record for survivorship: source priority, then recency.
        row_number() OVER (
            PARTITION BY m.customer_id ORDER BY s.priority, s.updated_at DESC NULLS LAST,
            s.source_id
        ) AS rank
    FROM sources AS s
    JOIN core.identity_map AS m
        ON m.source = s.source AND m.source_id = s.source_id AND m.business_id = s.business_id
),
home AS (
    SELECT business_id, min(jurisdiction) AS jurisdiction FROM ref.locations GROUP BY ALL
),
golden AS (
    SELECT
        l.customer_id,
        l.business_id,
        arg_min(lower(trim(l.email)), l.rank) FILTER (WHERE l.email_normalized IS NOT NULL)
            AS email,
        arg_min(l.phone_e164, l.rank) FILTER (WHERE l.phone_e164 IS NOT NULL) AS phone,
        arg_min(l.given_name, l.rank) FILTER (WHERE l.given_name IS NOT NULL) AS given_name,
        arg_min(l.family_name, l.rank) FILTER (WHERE l.family_name IS NOT NULL) AS family_name,
        arg_min(l.loyalty_id_normalized, l.rank)
            FILTER (WHERE l.loyalty_id_normalized IS NOT NULL) AS loyalty_id,
        arg_min(l.postcode_normalized, l.rank)
            FILTER (WHERE l.postcode_normalized IS NOT NULL) AS postcode,
        arg_min(l.country_code || coalesce('-' || upper(l.region), ''), l.rank)
            FILTER (WHERE l.country_code IS NOT NULL) AS address_jurisdiction,
        coalesce(bool_or(l.opted_out), FALSE) AS opted_out_anywhere,
        count(*) AS source_records,
        list(DISTINCT l.source ORDER BY l.source) AS sources,
        max(l.updated_at) AS updated_at
    FROM linked AS l
    GROUP BY l.customer_id, l.business_id
)
SELECT
    g.customer_id,
    g.business_id,
    g.email,
    g.phone,
    g.given_name,
    g.family_name,
    g.loyalty_id,
    g.postcode,
    coalesce(g.address_jurisdiction, regexp_extract(h.jurisdiction, '^[A-Z]{2}(-[A-Z]{2})?'))
        AS jurisdiction,
    CASE WHEN g.address_jurisdiction IS NOT NULL THEN 'address' ELSE 'home_location' END
        AS jurisdiction_source,
    g.email IS NOT NULL
        AND NOT g.opted_out_anywhere
        AND coalesce(g.address_jurisdiction, h.jurisdiction) LIKE 'US%' AS consent_email,
    CASE
        WHEN g.email IS NULL THEN 'no_email'
        WHEN g.opted_out_anywhere THEN 'opted_out'
        WHEN coalesce(g.address_jurisdiction, h.jurisdiction) LIKE 'US%' THEN 'us_until_opt_out'
        ELSE 'needs_opt_in'
    END AS consent_basis,
    FALSE AS consent_sms,
    g.source_records,
    g.sources,
    g.updated_at
FROM golden AS g
LEFT JOIN home AS h ON h.business_id = g.business_id
