"""Businesses and locations as the extractors need them: cheap to import, read once."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date
from functools import cache

from pipeline.settings import first_business_date_override, reference_dir, selected_businesses


class UnknownBusinessError(KeyError):
    pass


@dataclass(frozen=True)
class Location:
    location_id: str
    business_id: str
    timezone: str
    jurisdiction: str
    country: str
    phone: str


@cache
def locations() -> tuple[Location, ...]:
    with (reference_dir() / "locations.csv").open(newline="") as handle:
        return tuple(
            Location(
                r["location_id"],
                r["business_id"],
                r["timezone"],
                r["jurisdiction"],
                r["country"],
                r["phone"],
            )
            for r in csv.DictReader(handle)
        )


def xero_tenant(business_id: str) -> str:
    """XERO_TENANT_ID wins (one organisation per deployment), else businesses.csv's column."""
    override = os.environ.get("XERO_TENANT_ID", "").strip()
    if override:
        return override
    tenants = _csv_tenants()
    if business_id not in tenants:
        raise UnknownBusinessError(
            f"{reference_dir() / 'businesses.csv'}: no business {business_id!r}"
        )
    return tenants[business_id]


@cache
def _csv_tenants() -> dict[str, str]:
    with (reference_dir() / "businesses.csv").open(newline="") as handle:
        return {row["business_id"]: row["xero_tenant_id"] for row in csv.DictReader(handle)}


def business_ids() -> list[str]:
    return sorted({loc.business_id for loc in locations()})


def first_business_date(businesses: list[str] | None = None) -> date:
    """Where daily partitions start: BACKBONE_FIRST_BUSINESS_DATE, else the earliest
    `first_business_date` in businesses.csv among `businesses` (default: those a run covers,
    BACKBONE_BUSINESSES, else all), so the UI lists no dates before any business ran."""
    override = first_business_date_override()
    if override is not None:
        return override
    path = reference_dir() / "businesses.csv"
    chosen = businesses or selected_businesses()
    with path.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if not chosen or r["business_id"] in chosen]
    try:
        return min(date.fromisoformat(r["first_business_date"]) for r in rows)
    except (KeyError, ValueError) as exc:
        raise ValueError(
            f"{path}: field 'first_business_date' must be a date (YYYY-MM-DD) on every row: {exc}"
        ) from None
