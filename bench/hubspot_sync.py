"""The simulator's side of a first HubSpot contact sync, timed (docs/benchmarks.md, "Pipeline
speed at scale": the contact sync of a 50-location first run was 2,250 s, nearly all of it the
simulator rebuilding its contacts per request).

    BACKBONE_SANDBOX_SCALE=locations=20 .venv/bin/python bench/hubspot_sync.py --new 3000

Over httpx into an in-process Sandbox, as the connector talks to it: every contact listed in
pages of 100, then `--new` contacts upserted by email in batches of 100, then every contact
listed again. Prints JSON: contacts, requests, seconds per phase. Run it against two checkouts
to compare (PYTHONPATH=<other checkout>); the machine may be shared, so compare in one sitting.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime

import httpx

from sandbox import Sandbox

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _list_all(c: httpx.Client, base: str) -> tuple[int, int]:
    seen, requests, after = 0, 0, None
    while True:
        params = {"limit": 100, **({"after": after} if after else {})}
        body = c.get(f"{base}/objects/contacts", params=params).raise_for_status().json()
        seen, requests = seen + len(body["results"]), requests + 1
        after = body.get("paging", {}).get("next", {}).get("after")
        if not after:
            return seen, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--business", default="cafe")
    parser.add_argument("--new", type=int, default=2000, help="contacts to upsert by email")
    args = parser.parse_args()
    sb = Sandbox(now=NOW, seed=7)
    base = f"/{args.business}/hubspot/crm/v3"
    out: dict = {}
    headers = {"Authorization": "Bearer bench"}
    with httpx.Client(transport=sb.transport(), base_url="http://sandbox", headers=headers) as c:
        started = time.perf_counter()
        out["contacts"], out["list_requests"] = _list_all(c, base)
        out["list_s"] = round(time.perf_counter() - started, 2)
        started, batches = time.perf_counter(), 0
        for first in range(0, args.new, 100):
            inputs = [
                {"idProperty": "email", "id": f"bench{i}@example.com", "properties": {}}
                for i in range(first, min(first + 100, args.new))
            ]
            reply = c.post(f"{base}/objects/contacts/batch/upsert", json={"inputs": inputs})
            reply.raise_for_status()
            batches += 1
        out["upsert_batches"], out["upsert_s"] = batches, round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        out["contacts_after"], _ = _list_all(c, base)
        out["relist_s"] = round(time.perf_counter() - started, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
