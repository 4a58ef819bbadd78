-- Landing tables: one per source entity, the vendor record as JSON (pipeline/store/raw.py).
-- Every raw table has the same columns; a partitioned entity files rows under partition_key.
-- A new entity gets its table in a new migration.
CREATE TABLE IF NOT EXISTS raw.square_orders (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.square_payments (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.square_refunds (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.square_payouts (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.square_payout_entries (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.square_customers (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.square_catalog (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.square_disputes (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.hubspot_contacts (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.hubspot_deals (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.xero_accounts (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.xero_bank_transactions (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.xero_contacts (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.xero_invoices (
    record_id VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    location_id VARCHAR,
    business_date DATE,
    partition_key VARCHAR,
    updated_at TIMESTAMPTZ,
    payload JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR
);
