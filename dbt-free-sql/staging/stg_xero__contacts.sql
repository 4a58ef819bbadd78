-- Xero contacts: ledger identity (customers who are invoiced).
WITH phones AS (
    SELECT
        record_id,
        business_id,
        unnest(CAST(coalesce(json_extract(payload, '$.Phones'), '[]') AS JSON[])) AS ph
    FROM raw.xero_contacts
),
best_phone AS (
    SELECT
        record_id,
        business_id,
        arg_min(
            concat_ws(' ', nullif(ph ->> '$.PhoneCountryCode', ''),
                      nullif(ph ->> '$.PhoneAreaCode', ''), ph ->> '$.PhoneNumber'),
            CASE ph ->> '$.PhoneType' WHEN 'MOBILE' THEN 0 WHEN 'DEFAULT' THEN 1 ELSE 2 END
        ) FILTER (WHERE nullif(ph ->> '$.PhoneNumber', '') IS NOT NULL) AS phone
    FROM phones
    GROUP BY ALL
),
addresses AS (
    SELECT
        record_id,
        business_id,
        unnest(CAST(coalesce(json_extract(payload, '$.Addresses'), '[]') AS JSON[])) AS ad
    FROM raw.xero_contacts
),
best_address AS (
    -- The street address says where a person lives; a PO box is the fallback.
    SELECT
        record_id,
        business_id,
        arg_min(ad, CASE ad ->> '$.AddressType' WHEN 'STREET' THEN 0 ELSE 1 END) AS ad
    FROM addresses
    WHERE coalesce(nullif(ad ->> '$.AddressLine1', ''), nullif(ad ->> '$.PostalCode', ''))
        IS NOT NULL
    GROUP BY ALL
)
SELECT
    c.record_id AS xero_contact_id,
    c.business_id,
    nullif(trim(c.payload ->> '$.EmailAddress'), '') AS email,
    p.phone,
    nullif(trim(a.ad ->> '$.AddressLine1'), '') AS address,
    nullif(trim(a.ad ->> '$.PostalCode'), '') AS postcode,
    nullif(trim(a.ad ->> '$.Region'), '') AS region,
    nullif(trim(a.ad ->> '$.Country'), '') AS country,
    nullif(trim(c.payload ->> '$.FirstName'), '') AS given_name,
    nullif(trim(c.payload ->> '$.LastName'), '') AS family_name,
    c.payload ->> '$.Name' AS display_name,
    c.payload ->> '$.ContactStatus' AS status,
    ms_date(c.payload ->> '$.UpdatedDateUTC') AS updated_at,
    c.record_id AS _record_id,
    c.payload AS _payload,
    CASE
        WHEN ms_date(c.payload ->> '$.UpdatedDateUTC') IS NULL
            THEN 'field UpdatedDateUTC is not an MS-JSON date'
    END AS _dlq_reason
FROM raw.xero_contacts AS c
LEFT JOIN best_phone AS p USING (record_id, business_id)
LEFT JOIN best_address AS a USING (record_id, business_id)
