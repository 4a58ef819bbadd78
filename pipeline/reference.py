"""Ops-maintained reference tables (CSV in reference/), each guarded by a Pandera contract.

A bad file fails loudly with the file, the line and the field, because everything downstream
(postings above all) would otherwise be quietly wrong.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from pipeline.settings import REFERENCE_DIR

_CODE = pa.Column(str, pa.Check.str_matches(r"^\d{3,4}$"))
_OPT_CODE = pa.Column(str, pa.Check.str_matches(r"^(\d{3,4})?$"))
_TEXT = pa.Column(str, pa.Check.str_length(min_value=1))
_DATE = pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$"))

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
                "barcode": pa.Column(str, pa.Check.str_matches(r"^(\d{8}|\d{12,14})?$")),
                "tax_category": _TEXT,
                "uom": _TEXT,
                "price": pa.Column(str, pa.Check.str_matches(r"^\d+\.\d{2}$")),
                "revenue_account": _CODE,
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
                    ["discounts", "returns", "tips_payable", "service_charges", "rounding"]
                ),
            ),
            "account_code": _CODE,
        },
        strict=True,
    ),
    ["role"],
)

# Which columns must name an existing account in accounts.csv.
ACCOUNT_REFERENCES = {
    "taxes": ["payable_account"],
    "products": ["revenue_account"],
    "tenders": ["clearing_account", "fee_account"],
    "posting_accounts": ["account_code"],
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
    return pd.read_csv(path, dtype=str, keep_default_na=False)


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
    if name == "locations":
        _timezone_check(frame, path)
    if name == "tenders":
        _canonical_tender_check(frame, path)
    return frame


def load(name: str, directory: Path | None = None) -> pd.DataFrame:
    path = (directory or REFERENCE_DIR) / f"{name}.csv"
    return validate(name, _read(path), path)


def load_all(directory: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table, plus the cross-table rules (accounts exist, businesses exist)."""
    directory = directory or REFERENCE_DIR
    tables = {name: load(name, directory) for name in SCHEMAS}
    accounts = set(tables["accounts"]["account_code"])
    for name, columns in ACCOUNT_REFERENCES.items():
        for column in columns:
            for idx, code in tables[name][column].items():
                if code and code not in accounts:
                    raise ReferenceDataError(
                        f"{directory / (name + '.csv')}:{idx + 2}: field {column!r}: account "
                        f"{code!r} is not in accounts.csv"
                    )
    businesses = set(tables["businesses"]["business_id"])
    for name in ("locations", "products"):
        for idx, business in tables[name]["business_id"].items():
            if business not in businesses:
                raise ReferenceDataError(
                    f"{directory / (name + '.csv')}:{idx + 2}: field 'business_id': "
                    f"{business!r} is not in businesses.csv"
                )
    return tables
