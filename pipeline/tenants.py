"""Businesses and locations as the extractors need them: cheap to import, read once."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from pipeline.settings import REFERENCE_DIR


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
    with (REFERENCE_DIR / "locations.csv").open(newline="") as handle:
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


@cache
def xero_tenant(business_id: str) -> str:
    with (REFERENCE_DIR / "businesses.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["business_id"] == business_id:
                return row["xero_tenant_id"]
    raise UnknownBusinessError(f"{REFERENCE_DIR / 'businesses.csv'}: no business {business_id!r}")


def business_ids() -> list[str]:
    return sorted({loc.business_id for loc in locations()})
