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
import numpy as np
import pandas as pd

THRESHOLDS = (0.5, 0.9, 0.99, 0.999, 0.9999)
TEXT_COLUMNS = ("given_name", "family_name", "address", "email")
COLUMNS = (*TEXT_COLUMNS, "postcode", "birth_date", "loyalty_id", "phone")
DUCKDB_THREADS = 2  # the budget is for this 2-core machine
# A value held by more records than this is no one person's key (a till's placeholder phone,
# none@none.com): blocking on it would pair thousands of strangers, quadratically. Such records
# are still compared when another rule pairs them, and the comparison's term-frequency
# adjustment gives the common value the little weight it deserves.
BLOCKING_KEY_MAX_RECORDS = 10
EM_MAX_PAIRS = 1e6

_NORMALIZED = """
create or replace table normalized as
with typed as (
    select unique_id, {casts} from raw_records
), cleaned as (
    select
        unique_id,
        {text},
        case when length(phone_digits) >= 10 then right(phone_digits, 10) end as phone,
        nullif(ltrim(regexp_replace(loyalty_id, '[^0-9]', '', 'g'), '0'), '') as loyalty_id,
        nullif(split_part(trim(postcode), '-', 1), '') as postcode,
        strftime(coalesce(
            try_strptime(trim(birth_date), '%Y-%m-%d'), try_strptime(trim(birth_date), '%m/%d/%Y')
        ), '%Y-%m-%d') as birth_date
    from (select *, regexp_replace(phone, '[^0-9]', '', 'g') as phone_digits from typed)
)
select
    *,
    case when count(*) over (partition by email) <= {cap} then email end as email_key,
    case when count(*) over (partition by phone) <= {cap} then phone end as phone_key
from cleaned
"""


def normalize_into(connection, records: pd.DataFrame) -> None:
    """Write table `normalized`: unique_id (the record's position) and comparable values.

    Deliberately simple, and written here rather than borrowed from pipeline/identity so the
    comparison is Splink's: text lower-cased and trimmed with whitespace collapsed, phones to
    their last ten digits, loyalty ids to digits without leading zeros (LOY-004512 = 4512), a
    ZIP+4 to its ZIP, dates in ISO or US order to ISO. In DuckDB because pandas string methods
    took 12 s of the 1M-record budget.
    """
    raw = records[list(COLUMNS)].assign(unique_id=np.arange(len(records)))
    connection.register("raw_records", raw)
    casts = ", ".join(f"cast({c} as varchar) as {c}" for c in COLUMNS)
    text = ", ".join(
        f"nullif(lower(trim(regexp_replace({c}, '\\s+', ' ', 'g'))), '') as {c}"
        for c in TEXT_COLUMNS
    )
    sql = _NORMALIZED.format(casts=casts, text=text, cap=BLOCKING_KEY_MAX_RECORDS)
    connection.execute(sql)
    connection.unregister("raw_records")


def normalize(records: pd.DataFrame) -> pd.DataFrame:
    """`normalize_into` as a pandas frame (for tests and for looking at the values)."""
    connection = duckdb.connect()
    normalize_into(connection, records)
    # DuckDB returns rows in no promised order without ORDER BY (threads race).
    return connection.sql("SELECT * FROM normalized ORDER BY unique_id").df()


def settings(present: set[str]):
    """Splink settings for the columns that carry values in this data set."""
    import splink.comparison_library as cl
    from splink import ColumnExpression, SettingsCreator, block_on

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
        # A misspelt family name: same given name and postcode, and (to keep this block from
        # pairing every Mary in a ZIP, 4.7M pairs at 1M records) the same first letter.
        block_on("given_name", "postcode", ColumnExpression("family_name").substr(1, 1)),
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
        blocking.append(block_on("email_key"))
    if "phone" in present:
        comparisons.append(
            cl.LevenshteinAtThresholds("phone", 1).configure(term_frequency_adjustments=True)
        )
        blocking.append(block_on("phone_key"))
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
    connection = duckdb.connect()
    connection.execute(f"SET threads TO {DUCKDB_THREADS}")
    normalize_into(connection, records)
    filled = connection.execute(
        "select " + ", ".join(f"count({c})" for c in COLUMNS) + " from normalized"
    ).fetchall()[0]
    present = {c for c, n in zip(COLUMNS, filled, strict=True) if n}
    db_api = DuckDBAPI(connection=connection)
    linker = Linker(db_api.register("normalized"), settings(present), log_level=None)
    deterministic = [block_on("given_name", "family_name", "birth_date")]
    if "email" in present:
        deterministic.append(block_on("given_name", "family_name", "email"))
    else:
        deterministic.append(block_on("given_name", "family_name", "postcode"))
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    for rule in _training_rules(present):
        # EM needs a good sample of pairs, not all of them: Splink 5's max_pairs keeps a
        # deterministic hash sample of records so a rule's pairs stay near this many.
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=EM_MAX_PAIRS, estimate_without_term_frequencies=True
        )
    seconds["train"] = time.perf_counter() - started  # normalizing the input included

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
        labels[threshold] = by_id.reindex(np.arange(len(records))).to_numpy()
    return {
        "labels": labels,
        "seconds": seconds,
        "pairs_kept": int(pairs_kept),
        "lambda": linker._settings_obj._probability_two_random_records_match,
    }
