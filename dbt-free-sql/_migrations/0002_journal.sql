-- The posted journal: append-only. An adjusting entry is dated when it is posted and says which
-- day (activity_date) and which original entry it corrects (pipeline/accounting/adjustments.py).
CREATE TABLE IF NOT EXISTS marts.journal_entries (
    entry_id VARCHAR PRIMARY KEY, business_id VARCHAR NOT NULL, location_id VARCHAR NOT NULL,
    business_date DATE NOT NULL, kind VARCHAR NOT NULL, memo VARCHAR NOT NULL,
    total DECIMAL(18, 2) NOT NULL
);
CREATE TABLE IF NOT EXISTS marts.journal_lines (
    entry_id VARCHAR NOT NULL, line_no INTEGER NOT NULL, account_code VARCHAR NOT NULL,
    debit DECIMAL(18, 2) NOT NULL, credit DECIMAL(18, 2) NOT NULL, memo VARCHAR,
    business_date DATE NOT NULL, location_id VARCHAR NOT NULL,
    PRIMARY KEY (entry_id, line_no)
);
CREATE TABLE IF NOT EXISTS marts.posting_exceptions (
    business_date DATE NOT NULL, location_id VARCHAR NOT NULL, object_id VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);
-- Journals posted before adjusting entries existed gain the columns and date their activity.
ALTER TABLE marts.journal_entries ADD COLUMN IF NOT EXISTS activity_date DATE;
ALTER TABLE marts.journal_entries ADD COLUMN IF NOT EXISTS adjusts_entry_id VARCHAR;
ALTER TABLE marts.journal_entries ADD COLUMN IF NOT EXISTS posted_at TIMESTAMPTZ;
UPDATE marts.journal_entries SET activity_date = business_date WHERE activity_date IS NULL;
