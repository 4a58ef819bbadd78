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
)
SELECT
    c.record_id AS xero_contact_id,
    c.business_id,
    nullif(trim(c.payload ->> '$.EmailAddress'), '') AS email,
    p.phone,
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
