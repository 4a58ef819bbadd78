"""BACKBONE_SANDBOX_SCALE: more locations and orders for benchmarks, the demo world unchanged.

The scale is process-wide (it grows the reference world before anything is generated), so the
scaled world is looked at in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sandbox.scale import Scale

_PROBE = """
import json, httpx
from datetime import datetime, timezone
from sandbox import Sandbox
from sandbox.world import BUSINESSES
sb = Sandbox(now=datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
client = httpx.Client(transport=sb.transport(), base_url="http://sandbox",
                      headers={"Authorization": "Bearer x"})
window = {"start_at": "2026-11-18T05:00:00Z", "end_at": "2026-11-19T05:00:00Z"}
counts = {}
for location in BUSINESSES["cafe"].location_ids:
    body = {"location_ids": [location], "limit": 500,
            "query": {"filter": {"date_time_filter": {"created_at": window}}}}
    orders = client.post("/cafe/square/v2/orders/search", json=body).json().get("orders", [])
    counts[location] = sorted({o["location_id"] for o in orders}), len(orders), orders[0]["id"]
listed = client.get("/cafe/square/v2/locations").json()["locations"]
print(json.dumps({
    "locations": {b: [loc.id for loc in v.locations] for b, v in BUSINESSES.items()},
    "orders": counts, "listed": [loc["id"] for loc in listed]}))
"""


def _probe(scale: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "BACKBONE_SANDBOX_SCALE"}
    if scale is not None:
        env["BACKBONE_SANDBOX_SCALE"] = scale
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_a_scaled_world_has_its_locations_each_trading_the_orders_asked_for():
    world = _probe("locations=3,orders_per_day=40")
    assert world["locations"] == {
        "cafe": ["LCAFE01", "LCAFE01-002", "LCAFE01-003"],
        "boutique": ["LBTQSEA", "LBTQPDX", "LBTQSEA-003"],
        "studio": ["LSTUDIO", "LSTUDIO-002", "LSTUDIO-003"],
    }
    assert world["listed"] == world["locations"]["cafe"]
    for location, (seen, count, _) in world["orders"].items():
        assert seen == [location]
        # 2026-11-18 is a Wednesday (factor 0.95) and a day draws +-10 %: 34..42 sales, plus
        # the odd return order.
        assert 30 <= count <= 48, (location, count)
    # Days are seeded per location, so a clone does not repeat the first location's day.
    assert len({first for _, _, first in world["orders"].values()}) == 3


def test_without_a_scale_the_demo_world_is_unchanged():
    world = _probe(None)
    assert world["locations"] == {
        "cafe": ["LCAFE01"],
        "boutique": ["LBTQSEA", "LBTQPDX"],
        "studio": ["LSTUDIO"],
    }
    ((seen, count, _),) = world["orders"].values()
    assert seen == ["LCAFE01"] and count > 200


@pytest.mark.parametrize(
    "spec, scale",
    [
        ("", Scale()),
        ("locations=50", Scale(50, None)),
        ("locations=50, orders_per_day=300", Scale(50, 300)),
        ("orders-per-day=7", Scale(None, 7)),
    ],
)
def test_the_scale_spec_is_parsed(spec, scale):
    assert Scale.parse(spec) == scale


@pytest.mark.parametrize("spec", ["locations=0", "locations=x", "shops=3", "orders_per_day"])
def test_a_bad_scale_spec_is_refused_naming_the_variable(spec):
    with pytest.raises(ValueError, match="BACKBONE_SANDBOX_SCALE"):
        Scale.parse(spec)
