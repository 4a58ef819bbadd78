-- Clearing balance per business, location, clearing account, canonical tender and business date,
-- every day from the tender's first fact to the latest loaded business date:
-- closing = opening + inflow (payments with tips) - outflow (refunds, disputes held net of
-- disputes released) - fees (processor fees withheld) - settled (payout entry nets, on the
-- business date Square sends the payout; back in, negative, on the day a failed payout is known
-- to have failed). Disputes move with the payout entries that withhold or release them, as the
-- journal posts them (CHARGEBACK on the payout's day), so this mart and the journal's clearing
-- accounts agree day by day. Balances start at 0 on the first loaded day, so they are relative to
-- the loaded history. A payout entry whose fact is older than the loaded data has no tender:
-- canonical_tender NULL, on the one clearing account payouts settle (NULL if reference/tenders.csv
-- names several).
WITH facts AS (
    SELECT
        business_id,
        location_id,
        clearing_account,
        canonical_tender,
        business_date,
        CASE WHEN fact_kind = 'payment' THEN amount_money + tip_money ELSE 0 END AS inflow,
        CASE WHEN fact_kind = 'refund' THEN -amount_money ELSE 0 END AS refunds,
        0 AS disputes,
        fee_money AS fees,
        0 AS settled
    FROM core.tender_facts
),
payout_account AS (
    SELECT CASE WHEN count(DISTINCT clearing_account) = 1 THEN min(clearing_account) END AS account
    FROM core.tenders
    WHERE settles_in_payout
),
entries AS (
    SELECT
        e.business_id,
        p.location_id,
        p.business_date AS sent_date,
        CASE
            WHEN p.status = 'FAILED'
                THEN CAST(timezone(
                    coalesce(l.timezone, 'UTC'), coalesce(p.updated_at, p.created_at)
                ) AS DATE)
        END AS returned_date,
        e.entry_type,
        e.gross_money,
        e.net_money,
        CASE e.entry_type
            WHEN 'CHARGE' THEN 'payment' WHEN 'REFUND' THEN 'refund' WHEN 'DISPUTE' THEN 'dispute'
        END AS fact_kind,
        CASE e.entry_type
            WHEN 'CHARGE' THEN e.payment_id
            WHEN 'REFUND' THEN e.refund_id
            WHEN 'DISPUTE' THEN e.dispute_id
        END AS fact_id
    FROM staging.stg_square__payout_entries AS e
    JOIN staging.stg_square__payouts AS p
        ON p.business_id = e.business_id AND p.payout_id = e.payout_id
    -- A location missing from reference/ still settles (its failure day then in UTC).
    LEFT JOIN ref.locations AS l ON l.location_id = p.location_id
),
-- Every payout leaves clearing when sent; a failed one comes back (its dispute moves stay).
movements AS (
    SELECT *, sent_date AS business_date, 1 AS direction FROM entries
    UNION ALL
    SELECT *, returned_date AS business_date, -1 AS direction
    FROM entries WHERE returned_date IS NOT NULL
),
settlements AS (
    SELECT
        e.business_id,
        e.location_id,
        CASE WHEN f.fact_id IS NULL THEN pa.account ELSE f.clearing_account END AS clearing_account,
        f.canonical_tender,
        e.business_date,
        0 AS inflow,
        0 AS refunds,
        -- A dispute's money is withheld by (released through) the payout entry that moves it.
        CASE WHEN e.entry_type = 'DISPUTE' AND e.direction = 1 THEN -e.net_money ELSE 0 END
            AS disputes,
        0 AS fees,
        e.direction * e.net_money AS settled
    FROM movements AS e
    CROSS JOIN payout_account AS pa
    LEFT JOIN core.tender_facts AS f
        ON f.business_id = e.business_id AND f.fact_kind = e.fact_kind AND f.fact_id = e.fact_id
),
flows AS (
    SELECT
        business_id,
        location_id,
        clearing_account,
        canonical_tender,
        business_date,
        sum(inflow) AS inflow,
        sum(refunds) AS refunds,
        sum(disputes) AS disputes,
        sum(fees) AS fees,
        sum(settled) AS settled
    FROM (SELECT * FROM facts UNION ALL SELECT * FROM settlements)
    GROUP BY ALL
),
as_of AS (
    SELECT business_id, max(business_date) AS as_of_date
    FROM flows
    GROUP BY ALL
),
calendar AS (
    SELECT
        f.business_id,
        f.location_id,
        f.clearing_account,
        f.canonical_tender,
        CAST(unnest(generate_series(min(f.business_date), max(a.as_of_date), INTERVAL 1 DAY))
            AS DATE) AS business_date
    FROM flows AS f
    JOIN as_of AS a ON a.business_id = f.business_id
    GROUP BY f.business_id, f.location_id, f.clearing_account, f.canonical_tender
),
daily AS (
    SELECT
        c.business_id,
        c.location_id,
        c.clearing_account,
        c.canonical_tender,
        c.business_date,
        CAST(coalesce(f.inflow, 0) AS DECIMAL(18, 2)) AS inflow,
        CAST(coalesce(f.refunds, 0) AS DECIMAL(18, 2)) AS refunds,
        CAST(coalesce(f.disputes, 0) AS DECIMAL(18, 2)) AS disputes,
        CAST(coalesce(f.fees, 0) AS DECIMAL(18, 2)) AS fees,
        CAST(coalesce(f.settled, 0) AS DECIMAL(18, 2)) AS settled
    FROM calendar AS c
    LEFT JOIN flows AS f
        ON f.business_id = c.business_id AND f.location_id = c.location_id
        AND f.clearing_account IS NOT DISTINCT FROM c.clearing_account
        AND f.canonical_tender IS NOT DISTINCT FROM c.canonical_tender
        AND f.business_date = c.business_date
),
running AS (
    SELECT
        *,
        CAST(refunds + disputes AS DECIMAL(18, 2)) AS outflow,
        CAST(
            sum(inflow - refunds - disputes - fees - settled) OVER (
                PARTITION BY business_id, location_id, clearing_account, canonical_tender
                ORDER BY business_date
                ROWS UNBOUNDED PRECEDING
            ) AS DECIMAL(18, 2)
        ) AS closing
    FROM daily
)
SELECT
    business_id,
    location_id,
    clearing_account,
    canonical_tender,
    business_date,
    CAST(closing - (inflow - outflow - fees - settled) AS DECIMAL(18, 2)) AS opening,
    inflow,
    refunds,
    disputes,
    outflow,
    fees,
    settled,
    closing
FROM running
ORDER BY business_id, location_id, clearing_account, canonical_tender NULLS LAST, business_date
