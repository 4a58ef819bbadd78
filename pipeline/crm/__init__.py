"""CRM rules: customer facts, segments, consent and cadence, HubSpot sync plans, invoicing."""
