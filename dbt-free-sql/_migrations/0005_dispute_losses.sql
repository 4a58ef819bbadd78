-- Each decided dispute's loss as posted: the entry that posted it and the business day it
-- belongs to (pipeline/accounting/dispute_losses.py), written in the same transaction as that
-- entry, so a later touch to the dispute never posts the loss again.
CREATE TABLE IF NOT EXISTS marts.dispute_losses (
    dispute_id VARCHAR NOT NULL, business_id VARCHAR NOT NULL, location_id VARCHAR NOT NULL,
    entry_id VARCHAR NOT NULL, activity_date DATE NOT NULL,
    PRIMARY KEY (business_id, dispute_id)
);
-- Losses posted before this table existed are known only by their lines' memo, 'Lost <id>'
-- (pipeline/accounting/settlement.py): record each once, at its first posting.
INSERT INTO marts.dispute_losses
SELECT DISTINCT ON (e.business_id, substr(l.memo, 6))
       substr(l.memo, 6), e.business_id, e.location_id, e.entry_id, e.activity_date
FROM marts.journal_lines AS l
JOIN marts.journal_entries AS e USING (entry_id)
WHERE e.kind = 'CHARGEBACK' AND starts_with(l.memo, 'Lost ')
ORDER BY e.business_id, substr(l.memo, 6), e.activity_date, e.entry_id;
