"""Lazy, thread-safe cache of everything generated for one seed.

Nothing here depends on the sandbox clock: a day, a people pool or a deal list is a pure function
of the seed, so caching it is always safe. The clock only decides what is visible (see the
vendor query modules). Generation happens under one lock; it is fast enough (tens of ms per cafe
day) that finer-grained locking would only add risk.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from . import crm
from .clock import window
from .disputes import DISPUTE_RATES, DisputeRec, disputes_for_day
from .people import PeoplePool, build_pool
from .profiles import PROFILES
from .records import DayData
from .sales import generate_day
from .world import BUSINESSES, Location

T = TypeVar("T")


_SHARED_WORLDS: OrderedDict[int, World] = OrderedDict()
_SHARED_LOCK = threading.Lock()
_SHARED_MAX = 4


def shared_world(seed: int) -> World:
    """The process-wide World for a seed.

    A World is a pure function of its seed, so every Sandbox with that seed can share it: a test
    suite creating many Sandboxes generates each business day once. Kept for a few seeds only.
    """
    with _SHARED_LOCK:
        world = _SHARED_WORLDS.get(seed)
        if world is None:
            world = _SHARED_WORLDS[seed] = World(seed)
        _SHARED_WORLDS.move_to_end(seed)
        while len(_SHARED_WORLDS) > _SHARED_MAX:
            _SHARED_WORLDS.popitem(last=False)
        return world


class World:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._lock = threading.RLock()
        self._pools: dict[str, PeoplePool] = {}
        self._days: dict[tuple[str, date], DayData] = {}
        self._deals: dict[date, tuple[crm.Deal, ...]] = {}
        self._disputes: dict[tuple[str, date], tuple[DisputeRec, ...]] = {}

    def _cached(self, cache: dict, key: object, make: Callable[[], T]) -> T:
        value = cache.get(key)
        if value is None:
            with self._lock:
                value = cache.get(key)
                if value is None:
                    value = cache[key] = make()
        return value

    def pool(self, business_id: str) -> PeoplePool:
        return self._cached(self._pools, business_id, lambda: build_pool(business_id, self.seed))

    def day(self, location: Location, day: date) -> DayData:
        business = BUSINESSES[location.business_id]

        def make() -> DayData:
            return generate_day(
                self.seed, business, location, PROFILES[business.id], self.pool(business.id), day
            )

        return self._cached(self._days, (location.id, day), make)

    def disputes(self, location: Location, day: date) -> tuple[DisputeRec, ...]:
        """Disputes of the payments taken on one sale day (all of them, whatever the clock)."""
        if not DISPUTE_RATES.get(location.business_id):
            return ()
        return self._cached(
            self._disputes,
            (location.id, day),
            lambda: disputes_for_day(
                self.seed, location.business_id, location, day, self.day(location, day).payments
            ),
        )

    def owner_days(
        self, location: Location, now_ms: int, first: date | None, last: date | None
    ) -> list[date]:
        """Business days whose generated records can fall in [first, last] (local dates).

        Looks back `max_spill_days` because returns and offline arrivals are generated with the
        sale they belong to; clipped to the data window at the sandbox clock.
        """
        start, end = window(now_ms, location.tz)
        spill = PROFILES[location.business_id].max_spill_days
        if first is not None:
            start = max(start, first - timedelta(days=spill))
        if last is not None:
            end = min(end, last)
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]

    def studio_deals(self, day: date) -> tuple[crm.Deal, ...]:
        return self._cached(
            self._deals, day, lambda: crm.deals_for_day(self.seed, self.pool("studio"), day)
        )
