-- Square customer profiles: the contact fields identity resolution needs, nothing more.
SELECT
    record_id AS square_customer_id,
    business_id,
    nullif(trim(payload ->> '$.email_address'), '') AS email,
    nullif(trim(payload ->> '$.phone_number'), '') AS phone,
    nullif(trim(payload ->> '$.given_name'), '') AS given_name,
    nullif(trim(payload ->> '$.family_name'), '') AS family_name,
    nullif(trim(payload ->> '$.reference_id'), '') AS loyalty_id,
    nullif(trim(payload ->> '$.address.address_line_1'), '') AS address,
    nullif(trim(payload ->> '$.address.postal_code'), '') AS postcode,
    nullif(trim(payload ->> '$.address.administrative_district_level_1'), '') AS region,
    nullif(trim(payload ->> '$.address.country'), '') AS country,
    nullif(trim(payload ->> '$.birthday'), '') AS birth_date,
    TRY_CAST(payload ->> '$.preferences.email_unsubscribed' AS BOOLEAN) AS email_unsubscribed,
    TRY_CAST(payload ->> '$.created_at' AS TIMESTAMPTZ) AS created_at,
    TRY_CAST(payload ->> '$.updated_at' AS TIMESTAMPTZ) AS updated_at,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN TRY_CAST(payload ->> '$.created_at' AS TIMESTAMPTZ) IS NULL
            THEN 'field created_at is not a timestamp'
    END AS _dlq_reason
FROM raw.square_customers
