-- Write-offs per location (docs/metrics.md), money to the cent: the journal's rounding and
-- chargeback-loss accounts (reference/posting_accounts.csv roles rounding, chargeback_losses:
-- debits less credits of the lines dated that business day), and the payout money not yet
-- reconciled to the bank (marts.reconciliation: an unmatched payout's expected amount, a
-- partial match group's absolute difference once; by arrival date, the group's first payout's
-- location). Every posted location-day has all three, 0.00 when nothing was written off.
-- Summed over a week: money adds up.
WITH roles AS (
    SELECT role, account_code FROM ref.posting_accounts
    WHERE role IN ('rounding', 'chargeback_losses')
),
journal AS (
    SELECT
        e.business_id,
        l.location_id,
        l.business_date,
        r.role,
        l.debit - l.credit AS amount
    FROM marts.journal_lines AS l
    JOIN marts.journal_entries AS e ON e.entry_id = l.entry_id
    JOIN roles AS r ON r.account_code = l.account_code
),
unmatched AS (
    SELECT DISTINCT business_id, location_id, arrival_date AS business_date,
           'unreconciled' AS role, payout_id, expected_amount AS amount
    FROM marts.reconciliation
    WHERE status = 'unmatched'
),
partial AS (
    SELECT business_id, arg_min(location_id, arrival_date) AS location_id,
           min(arrival_date) AS business_date, 'unreconciled' AS role,
           abs(any_value(difference)) AS amount
    FROM marts.reconciliation
    WHERE status = 'partial'
    GROUP BY business_id, match_group
),
-- Every posted location-day shows each kind, 0.00 when nothing was written off.
zeros AS (
    SELECT DISTINCT e.business_id, e.location_id, e.business_date, r.role, 0 AS amount
    FROM marts.journal_entries AS e
    CROSS JOIN (VALUES ('rounding'), ('chargeback_losses'), ('unreconciled')) AS r (role)
),
obs AS (
    SELECT business_id, location_id, business_date, role, amount FROM zeros
    UNION ALL
    SELECT business_id, location_id, business_date, role, amount FROM journal
    UNION ALL
    SELECT business_id, location_id, business_date, role, amount FROM unmatched
    UNION ALL
    SELECT business_id, location_id, business_date, role, amount FROM partial
),
grains AS (
    SELECT
        g.grain,
        period_start(g.grain, o.business_date) AS period_start,
        o.*
    FROM obs AS o
    CROSS JOIN (VALUES ('day'), ('week')) AS g (grain)
)
SELECT
    grain,
    period_start,
    business_id,
    location_id,
    CASE role
        WHEN 'rounding' THEN 'writeoff_rounding'
        WHEN 'chargeback_losses' THEN 'writeoff_chargebacks'
        ELSE 'writeoff_unreconciled'
    END AS metric,
    CAST(sum(amount) AS DECIMAL(18, 2)) AS value
FROM grains
GROUP BY grain, period_start, business_id, location_id, role
