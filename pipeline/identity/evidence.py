"""Each record's identifying fields in canonical form, computed column-wise.

The resolver must take a million records in under a minute, so each field is normalized once per
distinct value (people repeat) and phones take a vectorized path for North American numbers. Each
column equals its scalar twin in `pipeline.kernel.normalize`; tests hold the two equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import phonenumbers

from pipeline.kernel import normalize

INPUT_FIELDS = (
    "email",
    "phone",
    "loyalty_id",
    "given_name",
    "family_name",
    "address",
    "postcode",
    "birth_date",
)
NANP_REGIONS = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])


def _column(records: pd.DataFrame, name: str) -> pd.Series:
    if name not in records:
        return pd.Series(None, index=records.index, dtype=object)
    values = records[name]
    return values.astype(object).where(values.notna(), None)


def _digits_column(records: pd.DataFrame, name: str) -> pd.Series:
    """A column of numbers people type (phones, loyalty ids), which a spreadsheet export may
    have turned into floats: 2064821937.0 is the number 2064821937."""
    values = _column(records, name)
    return values.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)


def _per_distinct(values: pd.Series, rule: Callable[[str], str | None]) -> pd.Series:
    """Apply a scalar rule once per distinct non-null value."""
    present = values.dropna()
    if present.empty:
        return pd.Series(None, index=values.index, dtype=object)
    text = present.astype(str)
    mapping = {value: rule(value) for value in pd.unique(text)}
    out = pd.Series(None, index=values.index, dtype=object)
    out[present.index] = text.map(mapping).astype(object)
    return out.where(out.notna(), None)


def _us_valid_pattern() -> re.Pattern[str]:
    """phonenumbers' own US validity rule (general shape and any number type), from its metadata.

    Read at import so it moves with the library: a number matching it is exactly what
    `phonenumbers.is_valid_number` accepts for the US.
    """
    meta = phonenumbers.PhoneMetadata.metadata_for_region("US")
    kinds = [
        getattr(meta, kind)
        for kind in (
            "fixed_line",
            "mobile",
            "toll_free",
            "premium_rate",
            "shared_cost",
            "personal_number",
            "voip",
            "pager",
            "uan",
            "voicemail",
        )
    ]
    types = "|".join(
        f"(?:{d.national_number_pattern})" for d in kinds if d and d.national_number_pattern
    )
    general = meta.general_desc.national_number_pattern
    return re.compile(f"(?=(?:{general})$)(?:{types})$", re.ASCII)


_US_VALID = _us_valid_pattern()
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d{1,6}\s*$", re.IGNORECASE | re.ASCII)
# How people type a North American number: optional +1 or 1, area code maybe in parentheses,
# any of space, dot, dash or slash between groups.
_NANP_TYPED = re.compile(
    r"\s*(\+\s*1|1)?[\s.\-/]*\(?\s*(\d{3})\s*\)?[\s.\-/]*(\d{3})[\s.\-/]*(\d{4})\s*",
    re.ASCII,  # phonenumbers reads other scripts' digits too; those take its own path
)


def _phone(value: str, region: str) -> str | None:
    typed = _NANP_TYPED.fullmatch(_EXTENSION.sub("", value))
    if typed and (region in NANP_REGIONS or (typed.group(1) or "").startswith("+")):
        national = typed.group(2) + typed.group(3) + typed.group(4)
        if _US_VALID.match(national):
            return "+1" + national
    return normalize.phone(value, region)


def phones(values: pd.Series, regions: pd.Series) -> pd.Series:
    """E.164 per value (None where invalid); equal to `normalize.phone(value, region)`.

    Ten-digit US numbers in the usual punctuation are checked against phonenumbers' own US rule
    directly; everything else (other countries, letters, odd shapes) goes through phonenumbers.
    """
    out = pd.Series(None, index=values.index, dtype=object)
    present = values.notna()
    if not present.any():
        return out
    pairs = list(
        zip(values[present].astype(str), regions[present].fillna("US").astype(str), strict=True)
    )
    distinct = {pair: _phone(*pair) for pair in dict.fromkeys(pairs)}
    out[present] = [distinct[pair] for pair in pairs]
    return out.where(out.notna(), None)


def emails(values: pd.Series) -> pd.Series:
    return _per_distinct(values, normalize.email_key)


def loyalty_ids(values: pd.Series) -> pd.Series:
    return _per_distinct(values, normalize.loyalty_id)


def given_names(values: pd.Series) -> pd.Series:
    return _per_distinct(values, normalize.given_name_key)


def family_names(values: pd.Series) -> pd.Series:
    return _per_distinct(values, normalize.family_name_key)


def addresses(values: pd.Series) -> pd.Series:
    return _per_distinct(values, normalize.address_key)


def postcodes(values: pd.Series, regions: pd.Series) -> pd.Series:
    us = regions.fillna("US").eq("US")
    out = _per_distinct(values.where(us, None), normalize.postcode_key)
    other = values.notna() & ~us
    if other.any():
        abroad = _per_distinct(values.where(other, None), lambda v: normalize.postcode_key(v, ""))
        out[other] = abroad[other]
    return out


def birth_dates(values: pd.Series) -> pd.Series:
    return _per_distinct(values, normalize.birth_date_key)


def build(records: pd.DataFrame, blocked_values: Iterable[str] = ()) -> pd.DataFrame:
    """One row per record: scope and each canonical field (None where it is no evidence).

    Generic mailboxes (info@) and caller-blocked values (a shop's own phone) are dropped here,
    before any linking, so they can never join strangers.
    """
    index = records.index
    region = (
        records["region"].astype(object).where(records["region"].notna(), "US")
        if "region" in records
        else pd.Series("US", index=index, dtype=object)
    )
    ev = pd.DataFrame(index=index)
    ev["scope"] = (
        records["business_id"].astype(str)
        if "business_id" in records
        else pd.Series("", index=index, dtype=object)
    )
    email = emails(_column(records, "email"))
    generic = email.str.split("@").str[0].isin(normalize.GENERIC_EMAIL_LOCALS)
    ev["email"] = email.where(~generic, None)
    ev["phone"] = phones(_digits_column(records, "phone"), region)
    ev["loyalty_id"] = loyalty_ids(_digits_column(records, "loyalty_id"))
    blocked = set(blocked_values)
    if blocked:
        for column in ("email", "phone", "loyalty_id"):
            ev[column] = ev[column].where(~ev[column].isin(blocked), None)
    ev["given"] = given_names(_column(records, "given_name"))
    ev["family"] = family_names(_column(records, "family_name"))
    ev["address"] = addresses(_column(records, "address"))
    ev["postcode"] = postcodes(_column(records, "postcode"), region)
    ev["birth_date"] = birth_dates(_column(records, "birth_date"))
    return ev.replace({np.nan: None})
