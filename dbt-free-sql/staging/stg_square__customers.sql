-- Square customer profiles: the contact fields identity resolution needs, nothing more.
-- Each payload is parsed once for all its fields (`f`), not once per field.
WITH parsed AS (
    SELECT
        record_id,
        business_id,
        payload,
        json_extract_string(payload, ['$.email_address', '$.phone_number', '$.given_name',
            '$.family_name', '$.reference_id', '$.address.address_line_1',
            '$.address.postal_code', '$.address.administrative_district_level_1',
            '$.address.country', '$.birthday', '$.preferences.email_unsubscribed',
            '$.created_at', '$.updated_at']) AS f
    FROM raw.square_customers
)
SELECT
    record_id AS square_customer_id,
    business_id,
    nullif(trim(f[1]), '') AS email,
    nullif(trim(f[2]), '') AS phone,
    nullif(trim(f[3]), '') AS given_name,
    nullif(trim(f[4]), '') AS family_name,
    nullif(trim(f[5]), '') AS loyalty_id,
    nullif(trim(f[6]), '') AS address,
    nullif(trim(f[7]), '') AS postcode,
    nullif(trim(f[8]), '') AS region,
    nullif(trim(f[9]), '') AS country,
    nullif(trim(f[10]), '') AS birth_date,
    TRY_CAST(f[11] AS BOOLEAN) AS email_unsubscribed,
    TRY_CAST(f[12] AS TIMESTAMPTZ) AS created_at,
    TRY_CAST(f[13] AS TIMESTAMPTZ) AS updated_at,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN TRY_CAST(f[12] AS TIMESTAMPTZ) IS NULL THEN 'field created_at is not a timestamp'
    END AS _dlq_reason
FROM parsed
