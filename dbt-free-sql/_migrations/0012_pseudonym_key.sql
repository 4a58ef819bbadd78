-- The per-warehouse secret behind the analysts' pseudonymous customer keys: customer_key =
-- HMAC-SHA256(key, customer_id) (pipeline/store/analyst_file.py). Random, made once on the first
-- export, kept here and never exported, so scorecard.duckdb alone cannot map a key back to a
-- customer (an unkeyed hash of a guessable id could be reversed by hashing every id), while the
-- same customer keeps the same key across runs.
CREATE TABLE IF NOT EXISTS ops.pseudonym_keys (
    purpose VARCHAR PRIMARY KEY,
    "key" BLOB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
