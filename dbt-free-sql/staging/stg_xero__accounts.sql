-- Xero chart of accounts, per organisation.
SELECT
    record_id AS xero_account_id,
    business_id,
    payload ->> '$.Code' AS account_code,
    payload ->> '$.Name' AS name,
    payload ->> '$.Type' AS type,
    payload ->> '$.Class' AS class,
    payload ->> '$.Status' AS status
FROM raw.xero_accounts
