"""Operations' last word on identity: reference/identity_overrides.csv.

`link` joins two records whatever the evidence says; `split` keeps two records apart whatever the
evidence says. Overrides are applied last and always. An override naming a record that no longer
exists (erased, or not yet extracted) is skipped and reported, not an error: the file outlives
the data.
"""

from __future__ import annotations

import pandas as pd

ACTIONS = ("link", "split")
COLUMNS = ["action", "business_id", "source_a", "source_id_a", "source_b", "source_id_b", "reason"]


def resolve(
    records: pd.DataFrame, overrides: pd.DataFrame | None
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]], list[str]]:
    """Row positions of (links, splits) as (i, j, why), and the overrides that matched nothing."""
    if overrides is None or overrides.empty:
        return [], [], []
    scope = (
        records["business_id"].astype(str)
        if "business_id" in records
        else pd.Series("", index=records.index)
    )
    position = {
        (b, s, i): n
        for n, (b, s, i) in enumerate(
            zip(scope, records["source"].astype(str), records["source_id"].astype(str), strict=True)
        )
    }
    links, splits, unmatched = [], [], []
    for n, row in enumerate(overrides.fillna("").to_dict("records")):
        line = row.get("line", n + 2)
        business = str(row.get("business_id", "") or "")
        a = position.get((business, str(row["source_a"]), str(row["source_id_a"])))
        b = position.get((business, str(row["source_b"]), str(row["source_id_b"])))
        why = (
            f"identity_overrides.csv line {line} ({row['action']} "
            f"{row['source_a']}:{row['source_id_a']} / {row['source_b']}:{row['source_id_b']})"
        )
        if row["action"] not in ACTIONS:
            raise ValueError(f"{why}: field 'action' must be one of {ACTIONS}")
        if a is None or b is None:
            unmatched.append(why)
            continue
        pair = (min(a, b), max(a, b), why)
        (links if row["action"] == "link" else splits).append(pair)
    return links, splits, unmatched
