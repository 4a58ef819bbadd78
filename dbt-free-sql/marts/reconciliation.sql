-- Square payouts against the bank deposits of the ledger's bank feed (Xero), one row per payout
-- and deposit matched to it (a payout with no deposit keeps one row with deposit_id NULL).
-- Expected = gross charges - refunds - fees +/- dispute holds and releases = the payout's net,
-- with Square's signs (its ListPayoutEntriesResponse example: gross 100, fee 19, net 81; a refund
-- gross -50, fee -2, net -48): net = gross - fee, so fees are the entries' fees as given.
-- Matching, strongest first: the deposit's reference names the payout (one deposit may name
-- several payouts, or several deposits one payout); else one deposit of the payout's amount
-- within the tolerance and date window of reference/reconciliation_settings.csv; else one
-- deposit equal to a run of consecutive payouts of a location (a bank batching days). Ambiguous
-- candidates are left unmatched for a person. Status per match group: matched (totals agree
-- within tolerance), partial (found, totals differ), unmatched; open items age in days as of the
-- latest loaded business date of the business, never the wall clock. A payout with no deposit is
-- in_transit while its arrival date is not yet behind the loaded data, failed if the bank
-- rejected it (it went back to Square, nothing to find), else unmatched.
-- `exception` names what a person must fix, never silently: counted_twice (two or more deposits
-- each carrying the whole payout: the feed's own and one created for it) or wrong_account (the
-- deposit's line is not coded to an account reference/businesses.csv's payout_deposits mode
-- expects: bank_feed, the payout clearing account the feed's deposit takes it out of; a bank
-- transaction Backbone creates, clearing or funds in transit; square_balance, a bank transfer
-- from the Square Balance account). Only bank lines on the payout_bank account are deposits.
WITH businesses AS (
    SELECT DISTINCT business_id FROM staging.stg_square__payouts
),
modes AS (
    SELECT business_id, payout_deposits FROM ref.businesses
),
expected_accounts AS (
    SELECT DISTINCT m.business_id, a.account_code
    FROM modes AS m
    JOIN (
        SELECT clearing_account AS account_code, 'clearing' AS kind
        FROM ref.tenders WHERE settles_in_payout = 'true'
        UNION ALL
        SELECT account_code, 'transit' AS kind
        FROM ref.posting_accounts WHERE role = 'funds_in_transit'
    ) AS a ON a.kind = 'clearing' OR m.payout_deposits <> 'bank_feed'
),
settings AS (
    SELECT
        b.business_id,
        CAST(coalesce(own.amount_tolerance, dflt.amount_tolerance, '0.00') AS DECIMAL(18, 2))
            AS amount_tolerance,
        CAST(coalesce(own.date_window_days, dflt.date_window_days, '0') AS INTEGER)
            AS date_window_days
    FROM businesses AS b
    LEFT JOIN ref.reconciliation_settings AS own ON own.business_id = b.business_id
    LEFT JOIN ref.reconciliation_settings AS dflt ON dflt.business_id IS NULL
),
as_of AS (
    SELECT business_id, max(business_date) AS as_of_date
    FROM (
        SELECT business_id, business_date FROM staging.stg_square__payouts
        UNION ALL
        SELECT business_id, business_date FROM staging.stg_xero__bank_transactions
    )
    GROUP BY ALL
),
entries AS (
    SELECT
        business_id,
        payout_id,
        count(*) AS entry_count,
        sum(gross_money) FILTER (WHERE entry_type = 'CHARGE') AS gross_charges,
        -sum(gross_money) FILTER (WHERE entry_type = 'REFUND') AS refunds,
        sum(fee_money) AS fees,
        sum(gross_money) FILTER (WHERE entry_type = 'DISPUTE') AS disputes,
        -- Entry types we do not break out (adjustments, transfers) still count toward the net.
        sum(gross_money) FILTER (WHERE entry_type NOT IN ('CHARGE', 'REFUND', 'DISPUTE'))
            AS other_entries,
        sum(net_money) AS net_amount
    FROM staging.stg_square__payout_entries
    GROUP BY ALL
),
payouts AS (
    SELECT
        p.business_id,
        p.location_id,
        p.payout_id,
        p.status AS payout_status,
        coalesce(p.arrival_date, p.business_date) AS arrival_date,
        coalesce(e.entry_count, 0) AS entry_count,
        CAST(coalesce(e.gross_charges, 0) AS DECIMAL(18, 2)) AS gross_charges,
        CAST(coalesce(e.refunds, 0) AS DECIMAL(18, 2)) AS refunds,
        CAST(coalesce(e.fees, 0) AS DECIMAL(18, 2)) AS fees,
        CAST(coalesce(e.disputes, 0) AS DECIMAL(18, 2)) AS disputes,
        CAST(coalesce(e.other_entries, 0) AS DECIMAL(18, 2)) AS other_entries,
        CAST(e.net_amount AS DECIMAL(18, 2)) AS net_amount,
        p.amount_money AS expected_amount
    FROM staging.stg_square__payouts AS p
    LEFT JOIN entries AS e ON e.business_id = p.business_id AND e.payout_id = p.payout_id
),
deposits AS (
    SELECT
        bank_transaction_id AS deposit_id,
        business_id,
        business_date AS deposit_date,
        reference,
        -- Xero totals are unsigned; a SPEND is money leaving the bank (a negative payout).
        CASE WHEN type LIKE 'SPEND%' THEN -total ELSE total END AS deposited_amount,
        line_account_codes AS line_accounts,
        type LIKE '%TRANSFER' AS is_transfer
    FROM staging.stg_xero__bank_transactions
    WHERE coalesce(status, '') NOT IN ('DELETED', 'VOIDED')
        -- Only the bank account payouts land in: a transfer from a Square Balance account is
        -- also listed as that account's SPEND-TRANSFER, which is the same money leaving Square.
        AND (
            bank_account_code IS NULL
            OR bank_account_code IN (
                SELECT account_code FROM ref.posting_accounts WHERE role = 'payout_bank'
            )
        )
),
by_reference AS (
    SELECT p.business_id, p.payout_id, d.deposit_id, 'reference' AS match_rule
    FROM payouts AS p
    JOIN deposits AS d
        ON d.business_id = p.business_id AND contains(d.reference, p.payout_id)
),
open_payouts AS (
    SELECT p.*
    FROM payouts AS p
    WHERE NOT EXISTS (
        SELECT 1 FROM by_reference AS r
        WHERE r.business_id = p.business_id AND r.payout_id = p.payout_id
    )
),
-- A deposit naming some payout id is that payout's, even one not loaded yet: never matched by
-- amount to another.
open_deposits AS (
    SELECT d.*
    FROM deposits AS d
    WHERE NOT EXISTS (
        SELECT 1 FROM by_reference AS r
        WHERE r.business_id = d.business_id AND r.deposit_id = d.deposit_id
    )
        AND NOT regexp_matches(coalesce(d.reference, ''), '\bpo_[0-9A-Za-z-]{8,}')
),
single_candidates AS (
    SELECT
        p.business_id,
        p.payout_id,
        d.deposit_id,
        abs(date_diff('day', p.arrival_date, d.deposit_date)) AS days_apart,
        abs(d.deposited_amount - p.expected_amount) AS amount_gap
    FROM open_payouts AS p
    JOIN settings AS s ON s.business_id = p.business_id
    JOIN open_deposits AS d
        ON d.business_id = p.business_id
        AND abs(date_diff('day', p.arrival_date, d.deposit_date)) <= s.date_window_days
        AND abs(d.deposited_amount - p.expected_amount) <= s.amount_tolerance
),
-- Only mutual first choices: a deposit two payouts could claim equally well goes to neither.
by_amount AS (
    SELECT business_id, payout_id, deposit_id, 'amount_date' AS match_rule
    FROM single_candidates
    QUALIFY row_number() OVER (
        PARTITION BY business_id, payout_id ORDER BY days_apart, amount_gap, deposit_id
    ) = 1
    AND row_number() OVER (
        PARTITION BY business_id, deposit_id ORDER BY days_apart, amount_gap, payout_id
    ) = 1
),
batch_payouts AS (
    SELECT
        p.*,
        row_number() OVER w AS seq,
        sum(p.expected_amount) OVER (w ROWS UNBOUNDED PRECEDING) AS running
    FROM open_payouts AS p
    WHERE NOT EXISTS (
        SELECT 1 FROM by_amount AS a
        WHERE a.business_id = p.business_id AND a.payout_id = p.payout_id
    )
    WINDOW w AS (PARTITION BY p.business_id, p.location_id ORDER BY p.arrival_date, p.payout_id)
),
batch_deposits AS (
    SELECT d.*
    FROM open_deposits AS d
    WHERE NOT EXISTS (
        SELECT 1 FROM by_amount AS a
        WHERE a.business_id = d.business_id AND a.deposit_id = d.deposit_id
    )
),
-- Runs of two or more consecutive payouts of one location whose total is one deposit's amount;
-- the run's ends (and so every payout in it) lie within the date window of the deposit.
runs AS (
    SELECT
        d.deposit_id,
        f.business_id,
        f.location_id,
        f.seq AS first_seq,
        l.seq AS last_seq,
        l.seq - f.seq + 1 AS n_payouts,
        greatest(
            abs(date_diff('day', f.arrival_date, d.deposit_date)),
            abs(date_diff('day', l.arrival_date, d.deposit_date))
        ) AS days_apart,
        abs(d.deposited_amount - (l.running - f.running + f.expected_amount)) AS amount_gap
    FROM batch_deposits AS d
    JOIN settings AS s ON s.business_id = d.business_id
    JOIN batch_payouts AS f
        ON f.business_id = d.business_id
        AND abs(date_diff('day', f.arrival_date, d.deposit_date)) <= s.date_window_days
    JOIN batch_payouts AS l
        ON l.business_id = f.business_id AND l.location_id = f.location_id AND l.seq > f.seq
        AND abs(date_diff('day', l.arrival_date, d.deposit_date)) <= s.date_window_days
    WHERE abs(d.deposited_amount - (l.running - f.running + f.expected_amount))
        <= s.amount_tolerance
),
best_runs AS (
    SELECT *
    FROM runs
    QUALIFY row_number() OVER (
        PARTITION BY business_id, deposit_id
        ORDER BY n_payouts, days_apart, amount_gap, location_id, first_seq
    ) = 1
),
run_members AS (
    SELECT
        r.business_id,
        r.deposit_id,
        p.payout_id,
        row_number() OVER (
            PARTITION BY p.business_id, p.payout_id
            ORDER BY r.n_payouts, r.days_apart, r.amount_gap, r.deposit_id
        ) = 1 AS first_choice
    FROM best_runs AS r
    JOIN batch_payouts AS p
        ON p.business_id = r.business_id AND p.location_id = r.location_id
        AND p.seq BETWEEN r.first_seq AND r.last_seq
),
by_batch AS (
    SELECT business_id, payout_id, deposit_id, 'amount_date_batch' AS match_rule
    FROM run_members
    QUALIFY bool_and(first_choice) OVER (PARTITION BY business_id, deposit_id)
),
links AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY business_id, deposit_id) AS payouts_in_deposit,
        count(*) OVER (PARTITION BY business_id, payout_id) AS deposits_for_payout
    FROM (
        SELECT * FROM by_reference
        UNION ALL
        SELECT * FROM by_amount
        UNION ALL
        SELECT * FROM by_batch
    )
),
-- What is compared: a deposit with every payout it covers, or a payout with every deposit
-- that covers part of it.
grouped AS (
    SELECT
        *,
        CASE
            WHEN payouts_in_deposit > 1 THEN business_id || ':deposit:' || deposit_id
            ELSE business_id || ':payout:' || payout_id
        END AS match_group
    FROM links
),
group_expected AS (
    SELECT g.match_group, sum(p.expected_amount) AS group_expected
    FROM (SELECT DISTINCT match_group, business_id, payout_id FROM grouped) AS g
    JOIN payouts AS p ON p.business_id = g.business_id AND p.payout_id = g.payout_id
    GROUP BY ALL
),
group_deposited AS (
    SELECT g.match_group, sum(d.deposited_amount) AS group_deposited
    FROM (SELECT DISTINCT match_group, business_id, deposit_id FROM grouped) AS g
    JOIN deposits AS d ON d.business_id = g.business_id AND d.deposit_id = g.deposit_id
    GROUP BY ALL
),
matched AS (
    SELECT
        p.*,
        g.deposit_id,
        g.match_rule,
        g.match_group,
        coalesce(g.payouts_in_deposit, 0) AS payouts_in_deposit,
        coalesce(g.deposits_for_payout, 0) AS deposits_for_payout,
        d.deposit_date,
        d.reference AS deposit_reference,
        d.deposited_amount,
        d.line_accounts,
        d.is_transfer,
        CAST(ge.group_expected AS DECIMAL(18, 2)) AS group_expected,
        CAST(gd.group_deposited AS DECIMAL(18, 2)) AS group_deposited,
        s.amount_tolerance,
        s.date_window_days,
        a.as_of_date
    FROM payouts AS p
    LEFT JOIN grouped AS g ON g.business_id = p.business_id AND g.payout_id = p.payout_id
    LEFT JOIN deposits AS d ON d.business_id = g.business_id AND d.deposit_id = g.deposit_id
    LEFT JOIN group_expected AS ge ON ge.match_group = g.match_group
    LEFT JOIN group_deposited AS gd ON gd.match_group = g.match_group
    JOIN settings AS s ON s.business_id = p.business_id
    JOIN as_of AS a ON a.business_id = p.business_id
),
statused AS (
    SELECT
        *,
        CAST(group_deposited - group_expected AS DECIMAL(18, 2)) AS difference,
        CASE
            WHEN deposit_id IS NULL AND payout_status = 'FAILED' THEN 'failed'
            WHEN deposit_id IS NULL AND arrival_date >= as_of_date THEN 'in_transit'
            WHEN deposit_id IS NULL THEN 'unmatched'
            WHEN abs(group_deposited - group_expected) <= amount_tolerance THEN 'matched'
            ELSE 'partial'
        END AS status,
        count(*) FILTER (
            WHERE abs(deposited_amount - expected_amount) <= amount_tolerance
        ) OVER (PARTITION BY business_id, payout_id) AS whole_deposits
    FROM matched
),
excepted AS (
    SELECT
        s.*,
        CASE
            WHEN s.whole_deposits > 1 THEN 'counted_twice'
            -- square_balance: the payout is a bank transfer from the Square Balance account
            -- (a transfer carries no line items); any other mode: a line coded to clearing.
            WHEN s.deposit_id IS NOT NULL AND m.payout_deposits = 'square_balance'
                THEN CASE WHEN NOT coalesce(s.is_transfer, FALSE) THEN 'wrong_account' END
            WHEN s.deposit_id IS NOT NULL AND (coalesce(s.is_transfer, FALSE) OR NOT coalesce(
                len(s.line_accounts) > 0 AND list_has_all(x.accounts, s.line_accounts), FALSE
            )) THEN 'wrong_account'
        END AS exception
    FROM statused AS s
    LEFT JOIN modes AS m ON m.business_id = s.business_id
    LEFT JOIN (
        SELECT business_id, list(account_code) AS accounts FROM expected_accounts GROUP BY ALL
    ) AS x ON x.business_id = s.business_id
)
SELECT
    business_id,
    location_id,
    payout_id,
    payout_status,
    arrival_date,
    entry_count,
    gross_charges,
    refunds,
    fees,
    disputes,
    other_entries,
    net_amount,
    expected_amount,
    deposit_id,
    deposit_date,
    deposit_reference,
    deposited_amount,
    match_rule,
    match_group,
    payouts_in_deposit,
    deposits_for_payout,
    group_expected,
    group_deposited,
    difference,
    amount_tolerance,
    date_window_days,
    status,
    exception,
    as_of_date,
    -- Open items only: nothing is left to chase for a matched, in-transit or failed payout.
    CASE
        WHEN status IN ('unmatched', 'partial')
            THEN greatest(date_diff('day', arrival_date, as_of_date), 0)
    END AS age_days,
    CASE
        WHEN status NOT IN ('unmatched', 'partial') THEN NULL
        WHEN date_diff('day', arrival_date, as_of_date) <= 2 THEN '0-2'
        WHEN date_diff('day', arrival_date, as_of_date) <= 7 THEN '3-7'
        WHEN date_diff('day', arrival_date, as_of_date) <= 30 THEN '8-30'
        ELSE '30+'
    END AS aging_bucket
FROM excepted
ORDER BY business_id, arrival_date, payout_id, deposit_id
