"""Customer identity graph: POS, CRM and ledger records of one person under one stable id.

Order of evidence, strongest first:
1. exact keys (loyalty id, mailbox, E.164 phone) as a graph, guarded against shared values;
2. probabilistic matching (Fellegi-Sunter, m and u learned from the data by EM, term-frequency
   weights) on names, addresses, postcodes, birth dates and near-identical keys, for records
   whose keys are missing or disagree, with blocking so the cost stays near-linear;
3. cannot-link rules (given names or birth dates that say two people) that cut chains;
4. operations' overrides (force-link, force-split), applied last and always.

Every output row explains itself: the rule and score of the record's strongest link, the record
it links to, the fields that agreed, that link's match probability and weight with a waterfall of
per-field contributions that sum to the weight, and its normalized keys. Pure pandas/numpy: no
Dagster.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from pipeline.identity import clusters, evidence, exact, fuzzy, overrides, scoring, stable_ids
from pipeline.identity.clusters import OverrideConflictError
from pipeline.identity.exact import MAX_RECORDS_PER_KEY

__all__ = [
    "EVIDENCE_COLUMNS",
    "MAX_RECORDS_PER_KEY",
    "OUTPUT_COLUMNS",
    "OverrideConflictError",
    "resolve_identities",
]

OUTPUT_COLUMNS = ["source", "source_id", "customer_id", "match_rule", "match_score"]
EVIDENCE_COLUMNS = [
    "matched_source",
    "matched_source_id",
    "evidence",
    "match_probability",
    "match_weight",
    "match_waterfall",
    "email_normalized",
    "phone_e164",
    "loyalty_id_normalized",
    "name_normalized",
    "postcode_normalized",
]
_EDGE_COLUMNS = ["i", "j", "rule", "score", "strength", "evidence", "forced"]


def _edges(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f.reindex(columns=_EDGE_COLUMNS) for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _EDGE_COLUMNS}).astype(
            {"i": np.int64, "j": np.int64, "strength": float, "forced": bool}
        )
    edges = pd.concat(frames, ignore_index=True)
    edges["forced"] = edges["forced"].eq(True)
    return edges.astype({"i": np.int64, "j": np.int64, "strength": float})


def _override_edges(links: list[tuple[int, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "i": [a for a, _, _ in links],
            "j": [b for _, b, _ in links],
            "rule": "override:link",
            "score": 1.0,
            "strength": np.inf,
            "evidence": [why for _, _, why in links],
            "forced": True,
        }
    )


def _explain(edges: pd.DataFrame, labels: np.ndarray, size: int) -> pd.DataFrame:
    """Per record, its strongest link inside its final cluster (None for a singleton)."""
    inside = edges[labels[edges["i"].to_numpy()] == labels[edges["j"].to_numpy()]]
    both = pd.concat(
        [
            inside.rename(columns={"i": "record", "j": "other"}),
            inside.rename(columns={"j": "record", "i": "other"}),
        ],
        ignore_index=True,
    )
    best = both.sort_values(
        ["record", "forced", "strength", "other"], ascending=[True, False, False, True]
    ).drop_duplicates("record")
    return best.set_index("record").reindex(range(size))


def resolve_identities(
    records: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    blocked_values: Iterable[str] = (),
    overrides_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per input record: source, source_id, customer_id, match_rule, match_score.

    `records` needs source and source_id; any of email, phone, loyalty_id, given_name,
    family_name, address, postcode, birth_date; optionally business_id (businesses never share
    customers) and region (ISO country for phone numbers without a country code).
    `previous` is an earlier result: its records keep their ids. `blocked_values` are normalized
    keys that are never evidence (a shop's own phone). `overrides_table` has the columns of
    reference/identity_overrides.csv.

    Deterministic: the same input in any row order gives the same ids.
    """
    for column in ("source", "source_id"):
        if column not in records or records[column].isna().any():
            raise ValueError(f"records: column {column!r} is required and must not be null")
    out_columns = OUTPUT_COLUMNS + EVIDENCE_COLUMNS
    if "business_id" in records:
        out_columns = ["business_id", *out_columns]
    if records.empty:
        return pd.DataFrame(columns=out_columns)
    records, arrival = _canonical_order(records)
    size = len(records)
    ev = evidence.build(records, blocked_values)
    scorer = scoring.Scorer(scoring.Fields(ev))

    exact_links, overused, refused = exact.exact_edges(scorer)
    joined = clusters.components(size, exact_links["i"].to_numpy(), exact_links["j"].to_numpy())
    fuzzy_links = fuzzy.fuzzy_edges(scorer, joined)
    links, splits, unmatched = overrides.resolve(records, overrides_table)
    edges = _edges([exact_links, fuzzy_links, _override_edges(links)])
    labels = clusters.cluster(scorer, edges, splits)

    keys = pd.DataFrame(
        {
            "scope": ev["scope"],
            "source": records["source"].astype(str),
            "source_id": records["source_id"].astype(str),
        }
    )
    ids = stable_ids.assign(keys, labels, previous)
    best = _explain(edges, labels, size)
    split_members = {n for a, b, _ in splits for n in (a, b)}
    rule = best["rule"].fillna("singleton").to_numpy(dtype=object)
    rule[[n for n in split_members if rule[n] == "singleton"]] = "override:split"
    other = best["other"].to_numpy()
    has_other = ~pd.isna(other)
    matched = np.full(size, None, dtype=object)
    matched_source, matched_id = matched.copy(), matched.copy()
    idx = other[has_other].astype(np.int64)
    matched_source[has_other] = keys["source"].to_numpy()[idx]
    matched_id[has_other] = keys["source_id"].to_numpy()[idx]
    exact_rule = pd.Series(rule).str.startswith("exact:").to_numpy()
    evidence_text = best["evidence"].to_numpy(dtype=object)
    evidence_text[exact_rule] = pd.Series(rule[exact_rule]).str[6:].add("=").to_numpy()

    # Every link, exact or fuzzy, is explained by the same model: probability, weight, waterfall.
    probability = np.full(size, np.nan)
    weight = np.full(size, np.nan)
    waterfall = np.full(size, None, dtype=object)
    linked = np.flatnonzero(has_other)
    if len(linked):
        explained = scorer.compare(linked, idx)
        probability[linked] = np.round(explained.probability, 6)
        weight[linked] = np.round(explained.weight, 4)
        waterfall[linked] = explained.waterfall(np.arange(len(linked)))

    names = ev["given"].fillna("").str.cat(ev["family"].fillna(""), sep=" ").str.strip()
    out = pd.DataFrame(
        {
            "source": keys["source"],
            "source_id": keys["source_id"],
            "customer_id": ids,
            "match_rule": rule,
            "match_score": pd.to_numeric(best["score"]).fillna(1.0).to_numpy(),
            "matched_source": matched_source,
            "matched_source_id": matched_id,
            "evidence": evidence_text,
            "match_probability": probability,
            "match_weight": weight,
            "match_waterfall": waterfall,
            "email_normalized": ev["email"].to_numpy(),
            "phone_e164": ev["phone"].to_numpy(),
            "loyalty_id_normalized": ev["loyalty_id"].to_numpy(),
            "name_normalized": names.where(names != "", None).to_numpy(),
            "postcode_normalized": ev["postcode"].to_numpy(),
        }
    )
    if "business_id" in records:
        out.insert(0, "business_id", records["business_id"].astype(str).to_numpy())
    out = out.iloc[np.argsort(arrival, kind="stable")].reset_index(drop=True)
    out = out.astype(object).where(out.notna(), None)
    out = out.astype({"match_score": float, "match_probability": float, "match_weight": float})
    out.attrs["unmatched_overrides"] = unmatched
    out.attrs["overused_keys"] = overused
    out.attrs["refused_key_links"] = refused
    out.attrs["model"] = scorer.model.table()
    return out


def _canonical_order(records: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Sorted by record key, so the result never depends on the caller's row order.

    Also returns each sorted row's position in the input, to hand rows back in input order.
    """
    sort_by = ["business_id", "source", "source_id"] if "business_id" in records else []
    sort_by = sort_by or ["source", "source_id"]
    keyed = records.reset_index(drop=True)
    keyed = keyed.assign(**{c: keyed[c].astype(str) for c in sort_by})
    keyed = keyed.sort_values(sort_by, kind="stable")
    return keyed.reset_index(drop=True), keyed.index.to_numpy()
