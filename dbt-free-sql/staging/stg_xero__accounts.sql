-- Xero chart of accounts, per organisation.
SELECT
    record_id AS xero_account_id,
    business_id,
    payload ->> '$.Code' AS account_code,
    payload ->> '$.Name' AS name,
    payload ->> '$.Type' AS type,
    payload ->> '$.Class' AS class,
    payload ->> '$.Status' AS status,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN nullif(payload ->> '$.Code', '') IS NULL THEN 'field Code is missing'
        WHEN ms_date(payload ->> '$.UpdatedDateUTC') IS NULL
            THEN 'field UpdatedDateUTC is not an MS-JSON date: '
                || coalesce(payload ->> '$.UpdatedDateUTC', 'missing')
    END AS _dlq_reason
FROM raw.xero_accounts
