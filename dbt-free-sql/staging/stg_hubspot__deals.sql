-- HubSpot deals with their first associated contact.
SELECT
    record_id AS deal_id,
    business_id,
    payload ->> '$.properties.dealname' AS deal_name,
    payload ->> '$.properties.dealstage' AS deal_stage,
    payload ->> '$.properties.pipeline' AS pipeline,
    money_text(payload ->> '$.properties.amount') AS amount,
    TRY_CAST(payload ->> '$.properties.closedate' AS TIMESTAMPTZ) AS close_date,
    TRY_CAST(payload ->> '$.createdAt' AS TIMESTAMPTZ) AS created_at,
    TRY_CAST(payload ->> '$.updatedAt' AS TIMESTAMPTZ) AS updated_at,
    payload ->> '$.associations.contacts.results[0].id' AS hubspot_contact_id,
    record_id AS _record_id,
    payload AS _payload,
    CASE
        WHEN payload ->> '$.properties.amount' IS NOT NULL
            AND money_text(payload ->> '$.properties.amount') IS NULL
            THEN 'field properties.amount is not a decimal: ' || (payload ->> '$.properties.amount')
        WHEN TRY_CAST(payload ->> '$.createdAt' AS TIMESTAMPTZ) IS NULL
            THEN 'field createdAt is not a timestamp'
    END AS _dlq_reason
FROM raw.hubspot_deals
