-- The studio's deal-to-cash loop (docs/crm.md, "The studio loop").
-- marts.invoice_drafts: every version of a won deal's invoices, appended and never edited. A
-- version is added when Backbone drafts the invoices (change 'created') or adopts a
-- hand-raised one ('adopted'), on a scope change ('scope_change': approver and note say who
-- and why), and when Xero's state of the invoices moves ('xero_status'). The current state of
-- a deal is its highest version.
CREATE TABLE IF NOT EXISTS marts.invoice_drafts (
    deal_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    business_id VARCHAR NOT NULL,
    customer_id VARCHAR,
    deal_name VARCHAR NOT NULL,
    deal_kind VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,          -- 'backbone' | 'adopted'
    total DECIMAL(18, 2) NOT NULL,
    deposit_due DECIMAL(18, 2) NOT NULL,
    status VARCHAR NOT NULL,          -- draft | approved | deposit_paid | paid | voided
    xero_invoice_id VARCHAR NOT NULL, -- the balance invoice (or the adopted one)
    deposit_invoice_id VARCHAR,       -- NULL when adopted or when the rule asks no deposit
    amount_due DECIMAL(18, 2) NOT NULL,
    delivery_status VARCHAR NOT NULL, -- paused | released
    change VARCHAR NOT NULL,
    approver VARCHAR,
    note VARCHAR,
    updated_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR,
    PRIMARY KEY (deal_id, version)
);

-- What HubSpot last received from Backbone for each deal's backbone_* properties, so only
-- changed values are sent (each send is also in ops.sync_log).
CREATE TABLE IF NOT EXISTS ops.deal_properties_sent (
    business_id VARCHAR NOT NULL,
    deal_id VARCHAR NOT NULL,
    properties JSON NOT NULL,
    sends INTEGER NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR,
    PRIMARY KEY (business_id, deal_id)
);
