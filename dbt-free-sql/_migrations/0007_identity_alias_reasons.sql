-- Each alias row says why it exists. 'merged': alias_id was retired when its cluster joined an
-- older one; references to it resolve to customer_id. 'split': alias_id is a new id given to the
-- smaller part of customer_id's cluster when new evidence divided it; customer_id kept the larger
-- part. A split row records lineage only: alias_id is live and must not be redirected.
ALTER TABLE core.identity_aliases ADD COLUMN IF NOT EXISTS reason VARCHAR;
UPDATE core.identity_aliases SET reason = 'merged' WHERE reason IS NULL;
