-- Xero bank transactions: deposits that payouts and cash should reconcile to.
SELECT
    record_id AS bank_transaction_id,
    business_id,
    business_date,
    payload ->> '$.Type' AS type,
    payload ->> '$.Status' AS status,
    payload ->> '$.Reference' AS reference,
    payload ->> '$.BankAccount.Code' AS bank_account_code,
    -- The other side of the bank line: what reconciliation checks a payout deposit is coded to.
    list_distinct(CAST(json_extract_string(payload, '$.LineItems[*].AccountCode') AS VARCHAR[]))
        AS line_account_codes,
    TRY_CAST(payload ->> '$.IsReconciled' AS BOOLEAN) AS is_reconciled,
    TRY_CAST(payload ->> '$.Total' AS DECIMAL(18, 2)) AS total,
    ms_date(payload ->> '$.UpdatedDateUTC') AS updated_at,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN TRY_CAST(payload ->> '$.Total' AS DECIMAL(18, 2)) IS NULL
            THEN 'field Total is not a decimal'
    END AS _dlq_reason
FROM raw.xero_bank_transactions
