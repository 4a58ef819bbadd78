"""The Splink 5 model bench/splink_engine.py runs: input normalization, settings, training.

Built the way Splink's own FEBRL and fake_1000 examples build theirs, on the identity input
columns: Jaro-Winkler name levels with term-frequency adjustments, date of birth exact /
Levenshtein 1 / else, postcode with term frequencies, address by Jaro-Winkler, loyalty id exact /
Levenshtein 1, email and phone where the data has them. A column nobody filled in (email and
phone on FEBRL, the loyalty id when unkeyed) gets no comparison: EM cannot learn m for it.
"""

from __future__ import annotations

import logging
import time

import duckdb
import pandas as pd

THRESHOLDS = (0.5, 0.9, 0.99, 0.999)
TEXT_COLUMNS = ("given_name", "family_name", "address", "email")
COLUMNS = (*TEXT_COLUMNS, "postcode", "birth_date", "loyalty_id", "phone")
DUCKDB_THREADS = 2  # the budget is for this 2-core machine


def normalize(records: pd.DataFrame) -> pd.DataFrame:
    """One row per record with unique_id (its position) and plain, comparable values.

    Deliberately simple, and written here rather than borrowed from pipeline/identity so the
    comparison is Splink's: text lower-cased with whitespace collapsed, phones to their last ten
    digits, loyalty ids to digits without leading zeros (LOY-004512 = 4512), a ZIP+4 to its ZIP,
    dates in ISO or US order to ISO.
    """
    out = pd.DataFrame({"unique_id": range(len(records))})
    for column in TEXT_COLUMNS:
        text = records[column].astype("string").str.lower().str.split().str.join(" ")
        out[column] = text.where(text != "").to_numpy()
    digits = records["phone"].astype("string").str.replace(r"\D", "", regex=True)
    out["phone"] = digits.where(digits.str.len() >= 10).str[-10:].to_numpy()
    loyalty = records["loyalty_id"].astype("string").str.replace(r"\D", "", regex=True)
    out["loyalty_id"] = loyalty.str.lstrip("0").replace("", pd.NA).to_numpy()
    postcode = records["postcode"].astype("string").str.strip().str.split("-").str[0]
    out["postcode"] = postcode.replace("", pd.NA).to_numpy()
    out["birth_date"] = _iso_dates(records["birth_date"]).to_numpy()
    return out.astype(dict.fromkeys(COLUMNS, "object")).where(out.notna(), None)


def _iso_dates(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    us = pd.to_datetime(text, format="%m/%d/%Y", errors="coerce")
    return parsed.fillna(us).dt.strftime("%Y-%m-%d")


def settings(present: set[str]):
    """Splink settings for the columns that carry values in this data set."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
        cl.LevenshteinAtThresholds("birth_date", 1),
        cl.LevenshteinAtThresholds("postcode", 1).configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("address", [0.95, 0.88]),
    ]
    blocking = [
        block_on("given_name", "family_name"),
        block_on("family_name", "postcode"),
        block_on("given_name", "postcode"),
        block_on("birth_date"),
        block_on("address"),
    ]
    if "loyalty_id" in present:
        comparisons.append(cl.LevenshteinAtThresholds("loyalty_id", 1))
        blocking.append(block_on("loyalty_id"))
    if "email" in present:
        # Not cl.EmailComparison: its "same username, other domain" level treats
        # donald.walker@gmail and donald.walker@outlook as near-proof, yet the username is
        # made of the name, so it double-counts the name evidence (measured: the largest
        # source of false links on the generator).
        comparisons.append(
            cl.LevenshteinAtThresholds("email", 1).configure(term_frequency_adjustments=True)
        )
        blocking.append(block_on("email"))
    if "phone" in present:
        comparisons.append(
            cl.LevenshteinAtThresholds("phone", 1).configure(term_frequency_adjustments=True)
        )
        blocking.append(block_on("phone"))
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def _training_rules(present: set[str]) -> list:
    """EM blocking rules: each leaves the fields it does not block on to be learned."""
    from splink import block_on

    rules = [block_on("given_name", "family_name")]  # learns dates, places, keys
    # A shared exact key or birth date learns the name levels (and the rest).
    rules.append(block_on("email") if "email" in present else block_on("birth_date"))
    rules.append(block_on("postcode", "birth_date") if "email" not in present else None)
    return [r for r in rules if r is not None]


def cluster_labels(records: pd.DataFrame, thresholds=THRESHOLDS, seed: int = 7) -> dict:
    """Train, predict and cluster; a cluster label per record (in input order) per threshold."""
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    seconds: dict = {"cluster": {}}
    started = time.perf_counter()
    frame = normalize(records)
    present = {c for c in COLUMNS if frame[c].notna().any()}
    connection = duckdb.connect()
    connection.execute(f"SET threads TO {DUCKDB_THREADS}")
    db_api = DuckDBAPI(connection=connection)
    linker = Linker(db_api.register(frame), settings(present), log_level=None)
    deterministic = [block_on("given_name", "family_name", "birth_date")]
    if "email" in present:
        deterministic.append(block_on("given_name", "family_name", "email"))
    else:
        deterministic.append(block_on("given_name", "family_name", "postcode"))
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    for rule in _training_rules(present):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    seconds["train"] = time.perf_counter() - started

    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=min(thresholds))
    seconds["predict"] = time.perf_counter() - started
    pairs_kept = predictions.as_duckdbpyrelation().aggregate("count(*)").fetchall()[0][0]

    labels = {}
    for threshold in thresholds:
        started = time.perf_counter()
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )
        table = clusters.as_duckdbpyrelation().select("unique_id, cluster_id").df()
        seconds["cluster"][threshold] = time.perf_counter() - started
        by_id = table.set_index("unique_id")["cluster_id"]
        labels[threshold] = by_id.reindex(frame["unique_id"]).to_numpy()
    return {
        "labels": labels,
        "seconds": seconds,
        "pairs_kept": int(pairs_kept),
        "lambda": linker._settings_obj._probability_two_random_records_match,
    }
