"""The CRM's reference tables: segments, VIP tiers, cadence limits, brands and complements.

Separate from schemas.py so the CRM's rules are found by name; schemas.py merges them into
SCHEMAS, so they are loaded, validated and cross-checked like every other reference file."""

from __future__ import annotations

import pandera.pandas as pa

_TEXT = pa.Column(str, pa.Check.str_length(min_value=1))
_BUSINESS = pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"))
_OPT_BUSINESS = pa.Column(str, pa.Check.str_matches(r"^([a-z][a-z0-9_]*)?$"))
_SLUG = pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"))
_FLAG = pa.Column(str, pa.Check.isin(["true", "false"]))
_OPT_MONEY = pa.Column(str, pa.Check.str_matches(r"^(\d+\.\d{2})?$"))
_COUNT = pa.Column(str, pa.Check.str_matches(r"^[1-9]\d{0,3}$"))
_OPT_COUNT = pa.Column(str, pa.Check.str_matches(r"^([1-9]\d{0,3})?$"))

CHANNELS = ["email", "sms", "task"]

CRM_SCHEMAS: dict[str, tuple[pa.DataFrameSchema, list[str]]] = {
    # One row per segment: how it reaches people and under which consent (docs/crm.md).
    # consent_basis: consent_email / consent_sms (core.customers' flag for the channel) or
    # service (a follow-up owed to the customer, never marketing, no consent needed).
    # Priority orders a customer's same-day entries when a cadence limit must choose (1 first).
    "segments": (
        pa.DataFrameSchema(
            {
                "segment": _SLUG,
                "channel": pa.Column(str, pa.Check.isin(CHANNELS)),
                "consent_basis": pa.Column(
                    str, pa.Check.isin(["consent_email", "consent_sms", "service"])
                ),
                "marketing": _FLAG,
                "priority": _COUNT,
                "hubspot_list_name": _TEXT,
                "window_days": _OPT_COUNT,
                "min_visits": _OPT_COUNT,
                "description": _TEXT,
            },
            checks=[
                pa.Check(
                    lambda df: (df["marketing"] == "false") | (df["consent_basis"] != "service"),
                    error="a marketing segment needs a consent basis other than service",
                ),
            ],
            strict=True,
        ),
        ["segment"],
    ),
    # A tier needs a minimum net LTV and/or visits within the trailing window; the highest
    # rank a customer meets is theirs.
    "vip_tiers": (
        pa.DataFrameSchema(
            {
                "business_id": _BUSINESS,
                "tier": _SLUG,
                "rank": _COUNT,
                "min_net_ltv": _OPT_MONEY,
                "min_visits": _OPT_COUNT,
                "window_days": _COUNT,
            },
            checks=[
                pa.Check(
                    lambda df: (df["min_net_ltv"] != "") | (df["min_visits"] != ""),
                    error="a tier needs a minimum net LTV or a minimum of visits",
                ),
            ],
            strict=True,
        ),
        ["business_id", "tier"],
    ),
    # At most max_entries marketing entries per customer and channel within any per_days
    # days. A blank business_id is the default for businesses without a row of their own.
    "cadence_limits": (
        pa.DataFrameSchema(
            {
                "business_id": _OPT_BUSINESS,
                "channel": pa.Column(str, pa.Check.isin(CHANNELS)),
                "max_entries": _COUNT,
                "per_days": _COUNT,
            },
            strict=True,
        ),
        ["business_id", "channel"],
    ),
    # The brand of each product (Square's catalog has no brand field of its own).
    "product_brands": (
        pa.DataFrameSchema(
            {"business_id": _BUSINESS, "sku": _TEXT, "brand": _TEXT},
            strict=True,
        ),
        ["business_id", "sku"],
    ),
    # Pieces a merchandiser pairs with a brand, suggested after a VIP's first purchase of it.
    "complements": (
        pa.DataFrameSchema(
            {"business_id": _BUSINESS, "brand": _TEXT, "complement_sku": _TEXT, "rank": _COUNT},
            strict=True,
        ),
        ["business_id", "brand", "complement_sku"],
    ),
}

CRM_KEY_REFERENCES = {
    ("vip_tiers", "business_id"): ("businesses", "business_id"),
    ("product_brands", "sku"): ("products", "sku"),
    ("complements", "complement_sku"): ("products", "sku"),
}
