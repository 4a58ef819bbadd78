-- HubSpot contacts: CRM identity, consent and loyalty ids.
SELECT
    record_id AS hubspot_contact_id,
    business_id,
    nullif(trim(payload ->> '$.properties.email'), '') AS email,
    nullif(trim(coalesce(payload ->> '$.properties.phone', payload ->> '$.properties.mobilephone')),
           '') AS phone,
    nullif(trim(payload ->> '$.properties.firstname'), '') AS given_name,
    nullif(trim(payload ->> '$.properties.lastname'), '') AS family_name,
    nullif(trim(payload ->> '$.properties.loyalty_id'), '') AS loyalty_id,
    nullif(trim(payload ->> '$.properties.address'), '') AS address,
    nullif(trim(payload ->> '$.properties.zip'), '') AS postcode,
    nullif(trim(payload ->> '$.properties.state'), '') AS region,
    nullif(trim(payload ->> '$.properties.country'), '') AS country,
    nullif(trim(payload ->> '$.properties.date_of_birth'), '') AS birth_date,
    TRY_CAST(payload ->> '$.properties.hs_email_optout' AS BOOLEAN) AS email_optout,
    TRY_CAST(payload ->> '$.createdAt' AS TIMESTAMPTZ) AS created_at,
    TRY_CAST(payload ->> '$.updatedAt' AS TIMESTAMPTZ) AS updated_at,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN TRY_CAST(payload ->> '$.createdAt' AS TIMESTAMPTZ) IS NULL
            THEN 'field createdAt is not a timestamp: '
                || coalesce(payload ->> '$.createdAt', 'missing')
        WHEN coalesce(TRY_CAST(payload ->> '$.archived' AS BOOLEAN), FALSE)
            THEN 'contact is archived'
    END AS _dlq_reason
FROM raw.hubspot_contacts
