"""Businesses and locations as the extractors need them: cheap to import, read once."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import cache

from pipeline.settings import reference_dir


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
