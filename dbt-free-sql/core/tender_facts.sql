-- One canonical tender fact per payment (positive) and refund (negative): tender type, brand,
-- tip, processor fee, payout it settled in, and the clearing account it moves through.
WITH facts AS (
    SELECT
        p.payment_id AS fact_id,
        'payment' AS fact_kind,
        p.payment_id,
        CAST(NULL AS VARCHAR) AS refund_id,
        p.order_id,
        p.business_id,
        p.location_id,
        p.business_date,
        p.created_at,
        p.source_type,
        p.card_brand,
        p.wallet_brand,
        p.amount_money,
        p.tip_money,
        p.fee_money,
        CAST(NULL AS VARCHAR) AS refund_reason
    FROM staging.stg_square__payments AS p
    WHERE p.status = 'COMPLETED'
    UNION ALL
    SELECT
        r.refund_id,
        'refund',
        r.payment_id,
        r.refund_id,
        r.return_order_id,
        r.business_id,
        r.location_id,
        r.business_date,
        r.created_at,
        -- The refund names its own destination, so refunds of sales outside the loaded
        -- window still reach the right clearing account.
        coalesce(p.source_type, r.destination_type),
        coalesce(p.card_brand, r.destination_card_brand, ''),
        p.wallet_brand,
        -r.amount_money,
        CAST(0 AS DECIMAL(18, 2)),
        r.fee_money,
        r.reason
    FROM staging.stg_square__refunds AS r
    LEFT JOIN staging.stg_square__payments AS p
        ON p.payment_id = r.payment_id AND p.business_id = r.business_id
    WHERE r.status = 'COMPLETED'
),
mapped AS (
    SELECT
        f.*,
        t.tender_type,
        t.clearing_account,
        t.fee_account,
        t.settles_in_payout
    FROM facts AS f
    LEFT JOIN core.tenders AS t
        ON t.source_type = f.source_type
        AND (t.card_brand = f.card_brand OR t.card_brand IS NULL)
    -- A brand-specific row beats the source type's catch-all row.
    QUALIFY row_number() OVER (
        PARTITION BY f.fact_kind, f.fact_id ORDER BY t.card_brand IS NULL
    ) = 1
)
SELECT
    m.*,
    e.payout_id,
    FALSE AS is_chargeback
FROM mapped AS m
LEFT JOIN staging.stg_square__payout_entries AS e
    ON e.business_id = m.business_id
    AND (
        (m.fact_kind = 'payment' AND e.entry_type = 'CHARGE' AND e.payment_id = m.payment_id)
        OR (m.fact_kind = 'refund' AND e.entry_type = 'REFUND' AND e.refund_id = m.refund_id)
    )
