"""The shape of every ops-maintained reference table (CSV in reference/): Pandera contracts,
keys, and which columns must name an account or another table's row."""

from __future__ import annotations

import pandera.pandas as pa

from pipeline.reference.crm_schemas import CRM_KEY_REFERENCES, CRM_SCHEMAS
from pipeline.reference.metric_schemas import METRIC_SCHEMAS

_CODE = pa.Column(str, pa.Check.str_matches(r"^\d{3,4}$"))
_OPT_CODE = pa.Column(str, pa.Check.str_matches(r"^(\d{3,4})?$"))
_TEXT = pa.Column(str, pa.Check.str_length(min_value=1))
_DATE = pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$"))
_MONEY = pa.Column(str, pa.Check.str_matches(r"^\d+\.\d{2}$"))
_OPT_MONEY = pa.Column(str, pa.Check.str_matches(r"^(\d+\.\d{2})?$"))
_FLAG = pa.Column(str, pa.Check.isin(["true", "false"]))

SCHEMAS: dict[str, tuple[pa.DataFrameSchema, list[str]]] = {
    "businesses": (
        pa.DataFrameSchema(
            {
                "business_id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
                "name": _TEXT,
                "currency": pa.Column(str, pa.Check.isin(["USD", "EUR", "GBP", "CAD", "AUD"])),
                # The first business date Backbone runs for: daily partitions start at the
                # earliest of the businesses in scope (assets/partitions.py).
                "first_business_date": _DATE,
                "xero_tenant_id": _TEXT,
                # How Square payouts reach the Xero bank account (docs/reconciliation.md).
                "payout_deposits": pa.Column(
                    str, pa.Check.isin(["bank_feed", "bank_transaction", "square_balance"])
                ),
            },
            strict=True,
        ),
        ["business_id"],
    ),
    "locations": (
        pa.DataFrameSchema(
            {
                "location_id": _TEXT,
                "business_id": _TEXT,
                "name": _TEXT,
                "timezone": _TEXT,
                "jurisdiction": _TEXT,
                "country": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}$")),
                "phone": pa.Column(str, pa.Check.str_matches(r"^\+\d{8,15}$")),
            },
            strict=True,
        ),
        ["location_id"],
    ),
    "accounts": (
        pa.DataFrameSchema(
            {
                "account_code": _CODE,
                "name": _TEXT,
                "type": pa.Column(
                    str,
                    pa.Check.isin(
                        [
                            "BANK",
                            "CURRENT",
                            "CURRLIAB",
                            "REVENUE",
                            "EXPENSE",
                            "EQUITY",
                            "FIXED",
                            "LIABILITY",
                            "DIRECTCOSTS",
                            "SALES",
                            "OTHERINCOME",
                        ]
                    ),
                ),
                "class": pa.Column(
                    str, pa.Check.isin(["ASSET", "LIABILITY", "EQUITY", "REVENUE", "EXPENSE"])
                ),
            },
            strict=True,
        ),
        ["account_code"],
    ),
    "taxes": (
        pa.DataFrameSchema(
            {
                "jurisdiction": _TEXT,
                "tax_category": _TEXT,
                "rate": pa.Column(str, pa.Check.str_matches(r"^0(\.\d{1,6})?$")),
                "payable_account": _CODE,
                "effective_from": _DATE,
                "effective_to": pa.Column(str, pa.Check.str_matches(r"^(\d{4}-\d{2}-\d{2})?$")),
            },
            strict=True,
        ),
        ["jurisdiction", "tax_category", "effective_from"],
    ),
    "products": (
        pa.DataFrameSchema(
            {
                "business_id": _TEXT,
                "sku": _TEXT,
                "name": _TEXT,
                "variation": pa.Column(str),
                "item_code": pa.Column(
                    str, pa.Check.str_matches(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$")
                ),
                "barcode": pa.Column(str),
                "tax_category": _TEXT,
                "uom": _TEXT,
                # Blank where the POS sets the amount (a variable-priced gift card, an
                # open-priced item); cost blank only there too (rules.py).
                "price": _OPT_MONEY,
                "cost": _OPT_MONEY,
                "revenue_account": _OPT_CODE,
            },
            strict=True,
        ),
        ["business_id", "sku"],
    ),
    "tenders": (
        # POS source type / card brand / wallet brand -> canonical tender -> accounts. A blank
        # brand is the source type's catch-all; a row naming the brand beats it.
        pa.DataFrameSchema(
            {
                "source_type": pa.Column(str, pa.Check.str_matches(r"^[A-Z][A-Z_]*$")),
                "card_brand": pa.Column(str, pa.Check.str_matches(r"^([A-Z][A-Z0-9_]*)?$")),
                "wallet_brand": pa.Column(str, pa.Check.str_matches(r"^([A-Z][A-Z0-9_]*)?$")),
                "canonical_tender": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
                "tender_type": pa.Column(
                    str, pa.Check.isin(["cash", "card", "wallet", "gift_card", "other"])
                ),
                "clearing_account": _CODE,
                "fee_account": _OPT_CODE,
                "settles_in_payout": pa.Column(str, pa.Check.isin(["true", "false"])),
            },
            strict=True,
        ),
        ["source_type", "card_brand", "wallet_brand"],
    ),
}

SCHEMAS["posting_accounts"] = (
    pa.DataFrameSchema(
        {
            # Which roles exist is the posting rules' to say (PostingAccounts): rules.py checks
            # every role is here, and no other, with the list the store passes in.
            "role": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
            "account_code": _CODE,
            # Only the rounding role has one: the largest per-order gap booked as rounding.
            "cap_cents": pa.Column(str, pa.Check.str_matches(r"^(\d{1,3})?$")),
        },
        strict=True,
    ),
    ["role"],
)

# Shared lifecycle states per entity: what every system's vendor state means to us.
SHARED_STATES = {
    "order": ("draft", "open", "completed", "canceled"),
    "payment": ("pending", "completed", "failed", "canceled"),
    "refund": ("pending", "completed", "failed"),
    "customer": ("subscriber", "lead", "customer", "archived"),
    "deal": ("open", "won", "lost"),
    "invoice": ("draft", "open", "paid", "voided"),
}

SCHEMAS["tax_categories"] = (
    pa.DataFrameSchema(
        {
            "tax_category": pa.Column(str, pa.Check.str_matches(r"^[A-Z][A-Z0-9_]*$")),
            "description": _TEXT,
            "taxable": _FLAG,
        },
        strict=True,
    ),
    ["tax_category"],
)
SCHEMAS["uom"] = (
    pa.DataFrameSchema(
        {
            "uom": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
            "description": _TEXT,
            "kind": pa.Column(str, pa.Check.isin(["count", "weight", "volume", "time"])),
        },
        strict=True,
    ),
    ["uom"],
)
SCHEMAS["pos_crosswalk"] = (
    pa.DataFrameSchema(
        {
            "business_id": _TEXT,
            "pos_catalog_id": pa.Column(str),
            "pos_name": pa.Column(str),
            "sku": _TEXT,
        },
        strict=True,
    ),
    ["business_id", "pos_catalog_id", "pos_name"],
)
SCHEMAS["modifiers"] = (
    pa.DataFrameSchema(
        {
            "business_id": _TEXT,
            "modifier_id": _TEXT,
            "modifier_list": _TEXT,
            "name": _TEXT,
            "price": _MONEY,
            "cost": _MONEY,
            "revenue_account": _CODE,
        },
        strict=True,
    ),
    ["business_id", "modifier_id"],
)
SCHEMAS["bundles"] = (
    pa.DataFrameSchema(
        {
            "business_id": _TEXT,
            "bundle_sku": _TEXT,
            "component_sku": _TEXT,
            "revenue_share": pa.Column(
                str, pa.Check.str_matches(r"^(0(\.\d{1,6})?|1(\.0{1,6})?)$")
            ),
            "revenue_account": _CODE,
            "cost": _MONEY,
        },
        strict=True,
    ),
    ["business_id", "bundle_sku", "component_sku"],
)
SCHEMAS["lifecycle_states"] = (
    pa.DataFrameSchema(
        {
            "system": pa.Column(str, pa.Check.isin(["square", "hubspot", "xero"])),
            "entity": pa.Column(str, pa.Check.isin(list(SHARED_STATES))),
            "vendor_state": _TEXT,
            "state": _TEXT,
        },
        strict=True,
    ),
    ["system", "entity", "vendor_state"],
)

# Which columns must name an existing account in accounts.csv.
ACCOUNT_REFERENCES = {
    "taxes": ["payable_account"],
    "products": ["revenue_account"],
    "tenders": ["clearing_account", "fee_account"],
    "posting_accounts": ["account_code"],
    "modifiers": ["revenue_account"],
    "bundles": ["revenue_account"],
    "refund_reasons": ["account_code"],
}
# Which columns must name an existing row of another table (same business where both have one).
KEY_REFERENCES = {
    ("locations", "business_id"): ("businesses", "business_id"),
    ("products", "business_id"): ("businesses", "business_id"),
    ("products", "tax_category"): ("tax_categories", "tax_category"),
    ("products", "uom"): ("uom", "uom"),
    ("taxes", "tax_category"): ("tax_categories", "tax_category"),
    ("modifiers", "business_id"): ("businesses", "business_id"),
    ("pos_crosswalk", "sku"): ("products", "sku"),
    ("bundles", "bundle_sku"): ("products", "sku"),
    ("bundles", "component_sku"): ("products", "sku"),
    **CRM_KEY_REFERENCES,
}


_SOURCE = pa.Column(str, pa.Check.isin(["square", "hubspot", "xero"]))
SCHEMAS["identity_overrides"] = (
    pa.DataFrameSchema(
        {
            "action": pa.Column(str, pa.Check.isin(["link", "split"])),
            "business_id": _TEXT,
            "source_a": _SOURCE,
            "source_id_a": _TEXT,
            "source_b": _SOURCE,
            "source_id_b": _TEXT,
            # Who asked and why: an override is a decision someone must be able to defend.
            "reason": _TEXT,
        },
        strict=True,
    ),
    ["business_id", "source_a", "source_id_a", "source_b", "source_id_b"],
)


SCHEMAS["refund_reasons"] = (
    pa.DataFrameSchema(
        {
            "reason": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z_]*$")),
            "label": _TEXT,
            # Where the refunded goods' net amount is booked: returns, or a cost of service.
            "account_code": _CODE,
            # Free-text reasons a POS records (Square's refund reason), separated by '|'.
            "pos_reasons": pa.Column(str),
        },
        strict=True,
    ),
    ["reason"],
)

# Payout-to-deposit matching. A blank business_id is the default for every business without a
# row of its own; with no row at all, amounts must agree exactly on the same day.
SCHEMAS["reconciliation_settings"] = (
    pa.DataFrameSchema(
        {
            "business_id": pa.Column(str, pa.Check.str_matches(r"^([a-z][a-z0-9_]*)?$")),
            "amount_tolerance": _MONEY,
            "date_window_days": pa.Column(
                str,
                pa.Check(
                    lambda s: s.map(lambda v: v.isdigit() and int(v) <= 31),
                    error="a whole number of days from 0 to 31",
                ),
            ),
        },
        strict=True,
    ),
    ["business_id"],
)

# Posting limits: an order carrying an amount above its business's ceiling (a line, the order's
# total, a tender) is held out of the journal for a person to confirm. A blank business_id is
# the default for every business without a row of its own; with no row at all, no ceiling.
SCHEMAS["posting_limits"] = (
    pa.DataFrameSchema(
        {
            "business_id": pa.Column(str, pa.Check.str_matches(r"^([a-z][a-z0-9_]*)?$")),
            "amount_ceiling": pa.Column(
                str,
                [
                    pa.Check.str_matches(r"^\d+\.\d{2}$"),
                    pa.Check(
                        lambda s: s.map(lambda v: any(c in "123456789" for c in v)),
                        error="a ceiling above 0.00",
                    ),
                ],
            ),
        },
        strict=True,
    ),
    ["business_id"],
)

# The studio's deal-to-cash rules (docs/crm.md, "The studio loop"): a won deal whose name
# matches `name_pattern` (a regular expression, first matching row wins) is invoiced with this
# revenue account and Xero TaxType, and `deposit_percent` of it up front on a deposit invoice
# booked to `deposit_account` (customer deposits, a liability until the work is delivered).
# Deals won before `effective_from` were invoiced by hand: Backbone adopts those invoices.
SCHEMAS["invoice_rules"] = (
    pa.DataFrameSchema(
        {
            "business_id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
            "deal_kind": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z_]*$")),
            "name_pattern": _TEXT,
            "revenue_account": _CODE,
            "tax_type": pa.Column(str, pa.Check.str_matches(r"^[A-Z][A-Z0-9]*$")),
            "deposit_percent": pa.Column(str, pa.Check.str_matches(r"^(100|[1-9]?\d)$")),
            "deposit_account": _CODE,
            "deposit_due_days": pa.Column(str, pa.Check.str_matches(r"^\d{1,3}$")),
            "balance_due_days": pa.Column(str, pa.Check.str_matches(r"^\d{1,3}$")),
            "effective_from": _DATE,
        },
        strict=True,
    ),
    ["business_id", "deal_kind"],
)
ACCOUNT_REFERENCES["invoice_rules"] = ["revenue_account", "deposit_account"]
KEY_REFERENCES[("invoice_rules", "business_id")] = ("businesses", "business_id")

SCHEMAS.update(CRM_SCHEMAS)
SCHEMAS.update(METRIC_SCHEMAS)
