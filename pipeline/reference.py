"""Ops-maintained reference tables (CSV in reference/), each guarded by a Pandera contract.

A bad file fails loudly with the file, the line and the field, because everything downstream
(postings above all) would otherwise be quietly wrong.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from pipeline.settings import reference_dir

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
                "xero_tenant_id": _TEXT,
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
                "price": _MONEY,
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
            "role": pa.Column(
                str,
                pa.Check.isin(
                    [
                        "discounts",
                        "returns",
                        "tips_payable",
                        "service_charges",
                        "rounding",
                        "payout_bank",
                        "disputed_funds",
                        "chargeback_losses",
                    ]
                ),
            ),
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
}


class ReferenceDataError(ValueError):
    """A reference CSV breaks its contract; the message names file, line and field."""


def _timezone_check(frame: pd.DataFrame, path: Path) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for idx, value in frame["timezone"].items():
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ReferenceDataError(
                f"{path}:{idx + 2}: field 'timezone': unknown time zone {value!r}"
            ) from None


# What a canonical tender decides; every row naming it must say the same.
_CANONICAL_TENDER_FIELDS = ("tender_type", "clearing_account", "fee_account", "settles_in_payout")


def _canonical_tender_check(frame: pd.DataFrame, path: Path) -> None:
    first: dict[str, int] = {}
    for idx, canonical in frame["canonical_tender"].items():
        if canonical not in first:
            first[canonical] = idx
            continue
        for field in _CANONICAL_TENDER_FIELDS:
            seen, value = frame.at[first[canonical], field], frame.at[idx, field]
            if value != seen:
                raise ReferenceDataError(
                    f"{path}:{idx + 2}: field {field!r}: {value!r} contradicts line "
                    f"{first[canonical] + 2}, which maps canonical tender {canonical!r} to "
                    f"{seen!r}"
                )


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise ReferenceDataError(f"{path}: reference file is missing")
    with path.open(newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise ReferenceDataError(f"{path}:1: file is empty (expected a header line)")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        # pandas says "Error tokenizing data. C error: Expected 9 fields in line 5, saw 10".
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            want, line, saw = found.groups()
            raise ReferenceDataError(
                f"{path}:{line}: malformed CSV: {saw} fields, the header has {want}"
            ) from None
        raise ReferenceDataError(f"{path}: malformed CSV: {exc}") from None


def _fail(path: Path, idx: int, field: str, message: str) -> ReferenceDataError:
    """idx is the DataFrame row; line 1 is the header."""
    return ReferenceDataError(f"{path}:{idx + 2}: field {field!r}: {message}")


def _row_rules(name: str, frame: pd.DataFrame, path: Path) -> None:
    """Rules on single rows and single tables that Pandera's column checks cannot say well."""
    from pipeline.catalog import gtin_problem

    if name == "locations":
        _timezone_check(frame, path)
    if name == "products":
        for idx, code in frame["barcode"].items():
            problem = code and gtin_problem(code)
            if problem:
                raise _fail(path, idx, "barcode", f"{code!r} is not a valid GTIN: {problem}")
        duplicated = frame.duplicated(subset=["business_id", "item_code"], keep="first")
        if duplicated.any():
            idx = int(duplicated[duplicated].index[0])
            raise _fail(
                path, idx, "item_code", f"item code {frame.at[idx, 'item_code']!r} is used twice"
            )
    if name == "pos_crosswalk":
        for idx, row in frame.iterrows():
            if bool(row["pos_catalog_id"]) == bool(row["pos_name"]):
                raise _fail(
                    path, idx, "pos_catalog_id", "give exactly one of pos_catalog_id and pos_name"
                )
    if name == "lifecycle_states":
        for idx, row in frame.iterrows():
            allowed = SHARED_STATES[row["entity"]]
            if row["state"] not in allowed:
                raise _fail(
                    path,
                    idx,
                    "state",
                    f"{row['state']!r} is not a shared {row['entity']} state {list(allowed)}",
                )
    if name == "bundles":
        for idx, share in frame["revenue_share"].items():
            if Decimal(share) <= 0:
                raise _fail(path, idx, "revenue_share", "a component's share must be above 0")
    if name == "taxes":
        _tax_ranges(frame, path)


def _tax_ranges(frame: pd.DataFrame, path: Path) -> None:
    """Each rate's range is [effective_from, effective_to); one jurisdiction+category, one rate."""
    for idx, row in frame.iterrows():
        if row["effective_to"] and row["effective_to"] <= row["effective_from"]:
            raise _fail(path, idx, "effective_to", "must be after effective_from")
    for _, group in frame.groupby(["jurisdiction", "tax_category"], sort=False):
        spans = sorted(
            (row["effective_from"], row["effective_to"] or "9999-12-31", idx)
            for idx, row in group.iterrows()
        )
        for (_, end, _), (start, _, idx) in pairwise(spans):
            if start < end:
                row = frame.loc[idx]
                raise _fail(
                    path,
                    idx,
                    "effective_from",
                    f"{row['jurisdiction']} {row['tax_category']} rate from "
                    f"{row['effective_from']} overlaps a range ending {end}",
                )


def validate(name: str, frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    schema, key = SCHEMAS[name]
    expected = list(schema.columns)
    missing = [c for c in expected if c not in frame.columns]
    extra = [c for c in frame.columns if c not in expected]
    if missing or extra:
        raise ReferenceDataError(
            f"{path}:1: header: missing columns {missing}, unexpected columns {extra}; "
            f"expected {expected}"
        )
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"]).head(5)
        problems = [
            f"{path}:{int(row['index']) + 2}: field {row['column']!r}: value "
            f"{row['failure_case']!r} fails {row['check']}"
            for _, row in cases.iterrows()
        ]
        raise ReferenceDataError("\n".join(problems) or str(exc)) from None
    duplicated = frame.duplicated(subset=key, keep="first")
    if duplicated.any():
        idx = int(duplicated[duplicated].index[0])
        values = {k: frame.at[idx, k] for k in key}
        raise ReferenceDataError(f"{path}:{idx + 2}: field {key[0]!r}: duplicate key {values}")
    _row_rules(name, frame, path)
    if name == "tenders":
        _canonical_tender_check(frame, path)
    return frame


def load(name: str, directory: Path | None = None) -> pd.DataFrame:
    path = (directory or reference_dir()) / f"{name}.csv"
    return validate(name, _read(path), path)


def load_all(directory: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table, then the cross-table rules; the first problem raises ReferenceDataError."""
    directory = directory or reference_dir()
    tables = {name: load(name, directory) for name in SCHEMAS}
    cross_check(tables, directory)
    return tables


def cross_check(tables: dict[str, pd.DataFrame], directory: Path) -> None:
    def path(name: str) -> Path:
        return directory / f"{name}.csv"

    accounts = set(tables["accounts"]["account_code"])
    for name, columns in ACCOUNT_REFERENCES.items():
        for column in columns:
            for idx, code in tables[name][column].items():
                if code and code not in accounts:
                    raise _fail(path(name), idx, column, f"account {code!r} is not in accounts.csv")
    for (name, column), (target, target_column) in KEY_REFERENCES.items():
        frame, other = tables[name], tables[target]
        scoped = "business_id" in frame.columns and "business_id" in other.columns
        known = (
            set(zip(other["business_id"], other[target_column], strict=True))
            if scoped and column != "business_id"
            else set(other[target_column])
        )
        for idx, value in frame[column].items():
            key = (
                (frame.at[idx, "business_id"], value)
                if scoped and column != "business_id"
                else value
            )
            if key not in known:
                where = f" for business {key[0]!r}" if isinstance(key, tuple) else ""
                raise _fail(path(name), idx, column, f"{value!r} is not in {target}.csv{where}")
    _bundle_rules(tables, path("bundles"), path("products"))


def _bundle_rules(tables: dict[str, pd.DataFrame], bundles_path: Path, products_path: Path):
    bundles, products = tables["bundles"], tables["products"]
    bundle_keys = set(zip(bundles["business_id"], bundles["bundle_sku"], strict=True))
    for idx, row in bundles.iterrows():
        if (row["business_id"], row["component_sku"]) in bundle_keys:
            raise _fail(bundles_path, idx, "component_sku", "a bundle cannot contain a bundle")
    for (business, sku), group in bundles.groupby(["business_id", "bundle_sku"], sort=False):
        total = sum(Decimal(share) for share in group["revenue_share"])
        if total != 1:
            raise _fail(
                bundles_path,
                int(group.index[-1]),
                "revenue_share",
                f"shares of bundle {business}:{sku} sum to {total}, not exactly 1",
            )
    # A bundle's revenue and cost come from its components, so its own row must not guess one.
    for idx, row in products.iterrows():
        is_bundle = (row["business_id"], row["sku"]) in bundle_keys
        for field in ("revenue_account", "cost"):
            if is_bundle and row[field]:
                raise _fail(
                    products_path,
                    idx,
                    field,
                    f"bundle {row['sku']} takes its {field} from bundles.csv; leave it empty",
                )
            if not is_bundle and not row[field]:
                raise _fail(products_path, idx, field, f"product {row['sku']} needs a {field}")
    return tables


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
