"""Customer identity graph: exact keys as a graph, connected components, stable ids.

Records from POS, CRM and ledger that share a normalized email, phone or loyalty id are the same
person. Keys that are generic or shared by too many records are not evidence and are dropped
before linking, so one shop phone typed in for every walk-in cannot fuse strangers.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

import pandas as pd

from pipeline import normalize

KEY_PRIORITY = ("loyalty_id", "email", "phone")
MAX_RECORDS_PER_KEY = 8
OUTPUT_COLUMNS = ["source", "source_id", "customer_id", "match_rule", "match_score"]
EVIDENCE_COLUMNS = {
    "email": "email_normalized",
    "phone": "phone_e164",
    "loyalty_id": "loyalty_id_normalized",
}


class _DisjointSet:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller index wins so that components are identical run to run.
            self.parent[max(ra, rb)] = min(ra, rb)


def normalized_keys(records: pd.DataFrame, blocked: Iterable[str] = ()) -> pd.DataFrame:
    """One column per key type holding the canonical value, or None where it is no evidence."""
    blocked_values = set(blocked)
    region = records["region"] if "region" in records else pd.Series("US", index=records.index)
    keys = pd.DataFrame(index=records.index)
    emails = records.get("email", pd.Series(None, index=records.index)).map(normalize.email)
    keys["email"] = emails.where(~emails.map(normalize.is_generic_email), None)
    phones = [
        normalize.phone(value, reg or "US")
        for value, reg in zip(
            records.get("phone", pd.Series(None, index=records.index)), region, strict=True
        )
    ]
    keys["phone"] = pd.Series(phones, index=records.index, dtype=object)
    keys["loyalty_id"] = records.get("loyalty_id", pd.Series(None, index=records.index)).map(
        normalize.loyalty_id
    )
    scope = (
        records["business_id"] if "business_id" in records else pd.Series("", index=records.index)
    )
    for column in KEY_PRIORITY:
        values = keys[column].where(~keys[column].isin(blocked_values), None)
        counts = values.groupby([scope, values]).transform("size")
        keys[column] = values.where(counts.isna() | (counts <= MAX_RECORDS_PER_KEY), None)
    return keys


def _new_id(scope: str, anchor: str, taken: set[str]) -> str:
    salt = 0
    while True:
        digest = hashlib.sha256(f"{scope}|{anchor}|{salt}".encode()).hexdigest()[:16]
        candidate = f"cus_{digest}"
        if candidate not in taken:
            return candidate
        salt += 1


def _previous_ids(previous: pd.DataFrame | None) -> tuple[dict[tuple[str, str, str], str], dict]:
    if previous is None or previous.empty:
        return {}, {}
    scope = previous["business_id"] if "business_id" in previous else [""] * len(previous)
    ids = {
        (str(b), str(s), str(i)): str(c)
        for b, s, i, c in zip(
            scope, previous["source"], previous["source_id"], previous["customer_id"], strict=True
        )
    }
    # Age of an id: when it was first assigned if the caller kept that, else its first row.
    if "assigned_at" in previous:
        age = previous.groupby("customer_id")["assigned_at"].min().to_dict()
    else:
        age = {cid: n for n, cid in enumerate(dict.fromkeys(previous["customer_id"]))}
    return ids, age


def resolve_identities(
    records: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    blocked_values: Iterable[str] = (),
) -> pd.DataFrame:
    """One row per input record: source, source_id, customer_id, match_rule, match_score.

    The normalized keys that were evidence for the link come along (email_normalized,
    phone_e164, loyalty_id_normalized), so every link explains itself.

    Deterministic. With `previous`, a record keeps its customer_id; when clusters merge, the
    survivor keeps the oldest id. `business_id`, when given, keeps businesses apart.
    """
    if records.empty:
        return pd.DataFrame(columns=OUTPUT_COLUMNS + list(EVIDENCE_COLUMNS.values()))
    for column in ("source", "source_id"):
        if column not in records or records[column].isna().any():
            raise ValueError(f"records: column {column!r} is required and must not be null")
    records = records.reset_index(drop=True)
    scope = (
        records["business_id"].astype(str)
        if "business_id" in records
        else pd.Series("", index=records.index)
    )
    record_keys = records["source"].astype(str) + ":" + records["source_id"].astype(str)
    keys = normalized_keys(records, blocked_values)

    dsu = _DisjointSet(len(records))
    for column in KEY_PRIORITY:
        present = keys[column].notna()
        linked = pd.DataFrame({"scope": scope[present], "key": keys[column][present]})
        for members in linked.groupby(["scope", "key"], sort=False).groups.values():
            first = members[0]
            for other in members[1:]:
                dsu.union(first, other)
    roots = [dsu.find(i) for i in range(len(records))]

    components: dict[int, list[int]] = defaultdict(list)
    for i, root in enumerate(roots):
        components[root].append(i)

    prev_ids, id_age = _previous_ids(previous)
    claims: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for root, members in components.items():
        held = [
            prev_ids.get((scope[i], str(records.at[i, "source"]), str(records.at[i, "source_id"])))
            for i in members
        ]
        for cid in set(filter(None, held)):
            claims[cid].append((-sum(1 for h in held if h == cid), root))
    # An id split across components stays with the component that holds most of its records.
    owner = {cid: min(c)[1] for cid, c in claims.items()}
    taken = set(prev_ids.values())
    component_id: dict[int, str] = {}
    for root in sorted(components):
        owned = [cid for cid, r in owner.items() if r == root]
        if owned:
            component_id[root] = min(owned, key=lambda c: (id_age.get(c, float("inf")), c))
        else:
            anchor = min(record_keys[i] for i in components[root])
            component_id[root] = _new_id(scope[root], anchor, taken)
            taken.add(component_id[root])

    rules = []
    for i, root in enumerate(roots):
        size = len(components[root])
        rule = "singleton"
        if size > 1:
            rule = "exact:anchor"
            for column in KEY_PRIORITY:
                value = keys.at[i, column]
                if value is not None and any(
                    keys.at[j, column] == value for j in components[root] if j != i
                ):
                    rule = f"exact:{column}"
                    break
        rules.append(rule)

    out = pd.DataFrame(
        {
            "source": records["source"].astype(str),
            "source_id": records["source_id"].astype(str),
            "customer_id": [component_id[r] for r in roots],
            "match_rule": rules,
            "match_score": [1.0] * len(records),
        }
    )
    for key, column in EVIDENCE_COLUMNS.items():
        out[column] = keys[key].astype(object).where(keys[key].notna(), None)
    if "business_id" in records:
        out.insert(0, "business_id", records["business_id"].astype(str))
    return out
