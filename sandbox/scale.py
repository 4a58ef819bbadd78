"""Bigger worlds for benchmarks: more locations per business, more orders per location-day.

`BACKBONE_SANDBOX_SCALE="locations=50,orders_per_day=300"` (or `serve --locations 50
--orders-per-day 300`) gives every business 50 locations: its own first, then clones of its
first location (same time zone, jurisdiction and region, ids `LCAFE01-002` ...), each trading
`orders_per_day` typical orders (before the weekday factor and the day's ±10 %). The customer
pool grows with the locations, so a chain has proportionally more customers, not the same 600
visiting 50 shops. Unset, nothing changes: the demo data stays byte-identical (the tests pin it).

Applied once, before anything is generated: `sandbox/__init__.py` applies the environment's
scale on import, and `serve` its flags before it builds the Sandbox. The reference world
mutates in place (the dicts every module imported), so a generated day never mixes scales.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

SCALE_ENV = "BACKBONE_SANDBOX_SCALE"
_applied: list[Scale] = []


@dataclass(frozen=True)
class Scale:
    locations: int | None = None  # per business; None keeps the demo's own
    orders_per_day: int | None = None  # per location; None keeps each profile's

    @property
    def is_default(self) -> bool:
        return self.locations is None and self.orders_per_day is None

    @classmethod
    def parse(cls, spec: str) -> Scale:
        """ "locations=50,orders_per_day=300" (either part may be left out)."""
        values: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, _, value = part.partition("=")
            key = key.strip().replace("-", "_")
            if key not in ("locations", "orders_per_day") or not value.strip().isdigit():
                raise ValueError(
                    f"{SCALE_ENV}: {part!r} is not locations=N or orders_per_day=M (N, M >= 1)"
                )
            values[key] = int(value)
            if values[key] < 1:
                raise ValueError(f"{SCALE_ENV}: {key} must be at least 1")
        return cls(**values)

    @classmethod
    def from_env(cls) -> Scale:
        return cls.parse(os.environ.get(SCALE_ENV, ""))


def _clone_id(base_id: str, n: int) -> str:
    return f"{base_id}-{n:03d}"


def apply(scale: Scale) -> None:
    """Grow the reference world to `scale`; a second, different scale in one process is refused
    (generated days are cached per location and would mix the two)."""
    if scale.is_default:
        return
    if _applied:
        if _applied[0] != scale:
            raise RuntimeError(f"the sandbox is already scaled to {_applied[0]}, not {scale}")
        return
    from . import names, people
    from .profiles import PROFILES
    from .world import BUSINESSES

    for business_id, business in list(BUSINESSES.items()):
        base = business.locations[0]
        own = len(business.locations)
        wanted = scale.locations or own
        clones = tuple(
            dataclasses.replace(
                base,
                id=_clone_id(base.id, n),
                name=f"{base.name} #{n}",
                # 555-01XX numbers are the ones reserved for fiction.
                phone=base.phone[:-2] + f"{n % 100:02d}",
            )
            for n in range(own + 1, wanted + 1)
        )
        locations = business.locations[:wanted] + clones
        for clone in clones:
            names.REGIONS[clone.id] = names.REGIONS[base.id]
        profile = PROFILES[business_id]
        typical = {
            loc.id: scale.orders_per_day
            or profile.orders_per_day.get(loc.id)
            or profile.orders_per_day[base.id]
            for loc in locations
        }
        PROFILES[business_id] = dataclasses.replace(profile, orders_per_day=typical)
        people.POOL_SIZE[business_id] = people.POOL_SIZE[business_id] * len(locations) // own
        # Business.location_ids is a cached property: a fresh object, not a mutated one.
        BUSINESSES[business_id] = dataclasses.replace(business, locations=locations)
    _applied.append(scale)
