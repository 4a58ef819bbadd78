-- A customer id retired by a merge keeps pointing at its survivor, so old references resolve.
CREATE TABLE IF NOT EXISTS core.identity_aliases (
    alias_id VARCHAR PRIMARY KEY, customer_id VARCHAR, merged_at TIMESTAMPTZ
);
