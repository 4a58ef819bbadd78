-- Xero invoices (accounts receivable).
SELECT
    record_id AS invoice_id,
    business_id,
    payload ->> '$.InvoiceNumber' AS invoice_number,
    payload ->> '$.Type' AS type,
    payload ->> '$.Status' AS status,
    payload ->> '$.Reference' AS reference,
    payload ->> '$.Contact.ContactID' AS xero_contact_id,
    ms_date(payload ->> '$.Date') AS invoice_date,
    ms_date(payload ->> '$.DueDate') AS due_date,
    TRY_CAST(payload ->> '$.Total' AS DECIMAL(18, 2)) AS total,
    TRY_CAST(payload ->> '$.AmountDue' AS DECIMAL(18, 2)) AS amount_due,
    TRY_CAST(payload ->> '$.AmountPaid' AS DECIMAL(18, 2)) AS amount_paid,
    ms_date(payload ->> '$.UpdatedDateUTC') AS updated_at,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN TRY_CAST(payload ->> '$.Total' AS DECIMAL(18, 2)) IS NULL
            THEN 'field Total is not a decimal'
        WHEN ms_date(payload ->> '$.Date') IS NULL
            THEN 'field Date is not an MS-JSON date: ' || coalesce(payload ->> '$.Date', 'missing')
    END AS _dlq_reason
FROM raw.xero_invoices
