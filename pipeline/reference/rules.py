"""Reference-data rules: each table alone, then across tables. Pure: frames in, errors out.

A bad file fails loudly with the file, the line and the field, because everything downstream
(postings above all) would otherwise be quietly wrong. Paths are only named in messages.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from pipeline.reference.catalog import gtin_problem
from pipeline.reference.schemas import (
    ACCOUNT_REFERENCES,
    KEY_REFERENCES,
    SCHEMAS,
    SHARED_STATES,
)


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


def _fail(path: Path, idx: int, field: str, message: str) -> ReferenceDataError:
    """idx is the DataFrame row; line 1 is the header."""
    return ReferenceDataError(f"{path}:{idx + 2}: field {field!r}: {message}")


def _row_rules(name: str, frame: pd.DataFrame, path: Path) -> None:
    """Rules on single rows and single tables that Pandera's column checks cannot say well."""
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
    if name == "invoice_rules":
        for idx, pattern in frame["name_pattern"].items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise _fail(path, idx, "name_pattern", f"not a regular expression: {exc}") from None


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


def posting_roles_check(frame: pd.DataFrame, path: Path, roles: Collection[str]) -> None:
    """Every role the posting rules use has an account, and no row names a role they do not."""
    for idx, role in frame["role"].items():
        if role not in roles:
            raise _fail(path, idx, "role", f"{role!r} is not a posting role {sorted(roles)}")
    missing = [role for role in roles if role not in set(frame["role"])]
    if missing:
        raise ReferenceDataError(
            f"{path}: field 'role': posting role {missing[0]!r} is missing; add a row "
            f"'{missing[0]},<account_code>,' (every role needs one: {', '.join(roles)})"
        )


def cross_check(
    tables: dict[str, pd.DataFrame], directory: Path, posting_roles: Collection[str] = ()
) -> None:
    """Rules across files; `posting_roles`, given, are the roles posting_accounts.csv must map."""

    def path(name: str) -> Path:
        return directory / f"{name}.csv"

    if posting_roles:
        posting_roles_check(tables["posting_accounts"], path("posting_accounts"), posting_roles)

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
    # Where the POS sets the amount (a blank price: a variable-priced gift card, an open-priced
    # item) there is no list price and no one cost to give, so cost may be blank too.
    for idx, row in products.iterrows():
        is_bundle = (row["business_id"], row["sku"]) in bundle_keys
        for field in ("revenue_account", "cost"):
            if field == "cost" and not row["price"] and not row[field]:
                continue
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
