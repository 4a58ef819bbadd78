-- One canonical tender fact per payment (positive), refund and dispute (negative): tender type,
-- card brand, wallet, gift card, tip, processor fee, the payout it settled in, the refunded or
-- disputed payment, and the clearing and fee accounts it moves through. Accounts come only from
-- reference/tenders.csv: an unmapped tender keeps NULL accounts (and its source type and brands,
-- so the coverage check can name it). Payments and refunds count once completed in the shared
-- lifecycle of reference/lifecycle_states.csv, not by a vendor's word.
WITH payments AS (
    SELECT p.*
    FROM staging.stg_square__payments AS p
    JOIN ref.lifecycle_states AS ls
        ON ls.system = 'square' AND ls.entity = 'payment' AND ls.vendor_state = p.status
    WHERE ls.state = 'completed'
),
refunds AS (
    SELECT r.*
    FROM staging.stg_square__refunds AS r
    JOIN ref.lifecycle_states AS ls
        ON ls.system = 'square' AND ls.entity = 'refund' AND ls.vendor_state = r.status
    WHERE ls.state = 'completed'
),
facts AS (
    SELECT
        p.payment_id AS fact_id,
        'payment' AS fact_kind,
        p.payment_id,
        CAST(NULL AS VARCHAR) AS refund_id,
        CAST(NULL AS VARCHAR) AS dispute_id,
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
        CAST(NULL AS VARCHAR) AS refund_reason,
        CAST(NULL AS VARCHAR) AS dispute_state,
        CAST(NULL AS VARCHAR) AS dispute_reason,
        FALSE AS is_chargeback
    FROM payments AS p
    UNION ALL
    SELECT
        r.refund_id,
        'refund',
        r.payment_id,
        r.refund_id,
        NULL,
        r.return_order_id,
        r.business_id,
        r.location_id,
        r.business_date,
        r.created_at,
        -- The refund names its own destination, so refunds of sales outside the loaded
        -- window still reach the right clearing account.
        coalesce(p.source_type, r.destination_type),
        coalesce(p.card_brand, r.destination_card_brand),
        p.wallet_brand,
        -r.amount_money,
        CAST(0 AS DECIMAL(18, 2)),
        r.fee_money,
        r.reason,
        NULL,
        NULL,
        FALSE
    FROM refunds AS r
    LEFT JOIN payments AS p
        ON p.payment_id = r.payment_id AND p.business_id = r.business_id
    UNION ALL
    SELECT
        d.dispute_id,
        'dispute',
        d.payment_id,
        NULL,
        d.dispute_id,
        p.order_id,
        d.business_id,
        d.location_id,
        d.business_date,
        d.created_at,
        -- Only card payments can be charged back; the dispute names the card brand itself.
        coalesce(p.source_type, 'CARD'),
        coalesce(p.card_brand, d.card_brand),
        p.wallet_brand,
        -d.amount_money,
        CAST(0 AS DECIMAL(18, 2)),
        CAST(0 AS DECIMAL(18, 2)),
        NULL,
        d.state,
        d.reason,
        d.is_chargeback
    FROM staging.stg_square__disputes AS d
    LEFT JOIN payments AS p
        ON p.payment_id = d.payment_id AND p.business_id = d.business_id
),
mapped AS (
    SELECT
        f.*,
        t.canonical_tender,
        t.tender_type,
        t.clearing_account,
        t.fee_account,
        t.settles_in_payout
    FROM facts AS f
    LEFT JOIN core.tenders AS t
        ON t.source_type = f.source_type
        AND (t.card_brand = f.card_brand OR t.card_brand IS NULL)
        AND (t.wallet_brand = f.wallet_brand OR t.wallet_brand IS NULL)
    -- A row naming the brand beats the source type's catch-all row.
    QUALIFY row_number() OVER (
        PARTITION BY f.business_id, f.fact_kind, f.fact_id
        ORDER BY (t.card_brand IS NULL)::INT + (t.wallet_brand IS NULL)::INT, t.canonical_tender
    ) = 1
),
entries AS (
    SELECT
        business_id,
        payout_id,
        payout_entry_id,
        effective_at,
        gross_money,
        CASE entry_type
            WHEN 'CHARGE' THEN 'payment' WHEN 'REFUND' THEN 'refund' WHEN 'DISPUTE' THEN 'dispute'
        END AS fact_kind,
        CASE entry_type
            WHEN 'CHARGE' THEN payment_id WHEN 'REFUND' THEN refund_id WHEN 'DISPUTE' THEN dispute_id
        END AS fact_id
    FROM staging.stg_square__payout_entries
),
-- The payout that took the fact's money in or out: a charge, a refund, a dispute's hold.
settled AS (
    SELECT business_id, fact_kind, fact_id, payout_id, payout_entry_id
    FROM entries
    WHERE fact_id IS NOT NULL AND NOT (fact_kind = 'dispute' AND gross_money > 0)
    QUALIFY row_number() OVER (
        PARTITION BY business_id, fact_kind, fact_id ORDER BY effective_at, payout_entry_id
    ) = 1
),
-- A won dispute's money comes back in a later payout.
released AS (
    SELECT business_id, fact_id, payout_id
    FROM entries
    WHERE fact_kind = 'dispute' AND gross_money > 0
    QUALIFY row_number() OVER (
        PARTITION BY business_id, fact_id ORDER BY effective_at, payout_entry_id
    ) = 1
)
SELECT
    m.*,
    coalesce(m.tender_type = 'gift_card', m.card_brand = 'SQUARE_GIFT_CARD', FALSE) AS is_gift_card,
    s.payout_id,
    s.payout_entry_id,
    r.payout_id AS release_payout_id
FROM mapped AS m
LEFT JOIN settled AS s
    ON s.business_id = m.business_id AND s.fact_kind = m.fact_kind AND s.fact_id = m.fact_id
LEFT JOIN released AS r
    ON m.fact_kind = 'dispute' AND r.business_id = m.business_id AND r.fact_id = m.fact_id
