"""The incremental id-stability classifier (bench/incremental.py) on hand-made first and second
runs: each case is one rule of issue #10 kept or broken."""

from __future__ import annotations

import pandas as pd
import pytest

from bench.incremental import id_outcomes, sample


def _run(ids: dict[str, str], **extra) -> pd.DataFrame:
    """A resolver result: record key -> customer_id, in the order given."""
    frame = pd.DataFrame(
        {"source": "square", "source_id": list(ids), "customer_id": list(ids.values())}
    )
    return frame.assign(**extra)


def _classes(outcome: dict) -> dict[str, int]:
    names = ("kept", "merged", "split", "merged_and_split", "violation")
    return {name: outcome[name] for name in names if outcome[name]}


def test_a_cluster_that_only_grows_keeps_its_id():
    first = _run({"r1": "A", "r2": "A", "r3": "B"})
    second = _run({"r1": "A", "r2": "A", "r3": "B", "r4": "A", "r5": "fresh"})
    outcome = id_outcomes(first, second)
    assert _classes(outcome) == {"kept": 2}
    assert outcome["violations"] == 0 and outcome["violation_examples"] == []


def test_a_merge_keeps_the_oldest_id():
    # A appears first in the first run, so it is the older id; B is retired.
    first = _run({"r1": "A", "r2": "B", "r3": "B"})
    second = _run({"r1": "A", "r2": "A", "r3": "A"})
    outcome = id_outcomes(first, second)
    assert _classes(outcome) == {"merged": 2}
    assert outcome["violations"] == 0


def test_a_merge_that_keeps_the_younger_id_is_a_violation():
    first = _run({"r1": "A", "r2": "B"})
    second = _run({"r1": "B", "r2": "B"})
    outcome = id_outcomes(first, second)
    assert _classes(outcome) == {"violation": 2}
    assert outcome["silent_id_changes"] == 0  # they did merge: the survivor is what is wrong
    example = outcome["violation_examples"][0]
    assert example["ids_now"] == ["B"] and example["expected_ids"] == ["A"]
    assert "square:r1" in {r for e in outcome["violation_examples"] for r in e["records"]}


def test_oldest_means_first_assigned_when_previous_says_when():
    # B was assigned before A although A's row comes first: B must survive the merge.
    stamps = ["2026-03-01", "2026-01-01"]
    first = _run({"r1": "A", "r2": "B"}, assigned_at=stamps)
    assert id_outcomes(first, _run({"r1": "B", "r2": "B"}))["violations"] == 0
    assert id_outcomes(first, _run({"r1": "A", "r2": "A"}))["violations"] == 2


def test_a_split_leaves_the_id_with_the_larger_part():
    first = _run({"r1": "A", "r2": "A", "r3": "A"})
    second = _run({"r1": "A", "r2": "A", "r3": "X"})
    outcome = id_outcomes(first, second)
    assert _classes(outcome) == {"split": 1}
    assert outcome["violations"] == 0


def test_a_split_whose_smaller_part_keeps_the_id_is_a_violation():
    first = _run({"r1": "A", "r2": "A", "r3": "A"})
    second = _run({"r1": "X", "r2": "X", "r3": "A"})
    outcome = id_outcomes(first, second)
    assert _classes(outcome) == {"violation": 1}
    assert outcome["violation_examples"][0]["expected_ids"] == ["(a new id)", "A"]


def test_a_split_into_two_equal_parts_leaves_the_id_with_the_smallest_record_key():
    first = _run({"r1": "A", "r2": "A"})
    assert id_outcomes(first, _run({"r1": "A", "r2": "X"}))["violations"] == 0
    assert id_outcomes(first, _run({"r1": "X", "r2": "A"}))["violations"] == 1


def test_a_split_part_may_not_take_another_first_run_id():
    first = _run({"r1": "A", "r2": "A", "r3": "A", "r4": "C"})
    second = _run({"r1": "A", "r2": "A", "r3": "C", "r4": "C2"})
    outcome = id_outcomes(first, second)
    # r3's part wears C although C's own record now has another id: both clusters broke a rule.
    assert outcome["violation"] == 2
    assert outcome["silent_id_changes"] == 1  # C's cluster neither merged nor split


def test_a_silent_id_change_is_a_violation():
    first = _run({"r1": "A", "r2": "A", "r3": "B"})
    second = _run({"r1": "Z", "r2": "Z", "r3": "B", "r4": "Z"})
    outcome = id_outcomes(first, second)
    assert _classes(outcome) == {"kept": 1, "violation": 1}
    assert outcome["silent_id_changes"] == 1
    example = outcome["violation_examples"][0]
    assert example["first_run_id"] == "A" and example["shape"] == "kept"
    assert example["records"] == ["square:r1", "square:r2"]


def test_new_records_may_not_wear_a_retired_id():
    first = _run({"r1": "A", "r2": "B"})
    second = _run({"r1": "A", "r2": "A", "r3": "B"})
    outcome = id_outcomes(first, second)
    assert _classes(outcome) == {"merged": 2}
    assert outcome["new_clusters_with_old_id"] == 1
    assert outcome["violations"] == 1
    assert outcome["violation_examples"][0]["records"] == ["square:r3"]


def test_business_scoped_keys_and_lost_records():
    first = _run({"r1": "A"}, business_id=["b1"])
    second = _run({"r1": "A", "r1x": "A"}, business_id=["b1", "b1"])
    assert id_outcomes(first, second)["kept"] == 1
    with pytest.raises(ValueError, match="lost records"):
        id_outcomes(_run({"r1": "A", "r2": "B"}), _run({"r1": "A"}))


def test_the_first_run_sample_is_deterministic_and_keeps_order():
    records = pd.DataFrame({"source_id": [f"r{i}" for i in range(100)]})
    a, b = sample(records, 0.6, seed=3), sample(records, 0.6, seed=3)
    assert len(a) == 60 and a.equals(b) and a.index.is_monotonic_increasing
    assert not a.equals(sample(records, 0.6, seed=4))


def test_the_benchmark_classifies_every_first_run_cluster_once():
    from bench.identity import measure

    row = measure(2000, seed=5, incremental=0.6)
    ids = row["incremental"]
    names = ("kept", "merged", "split", "merged_and_split", "violation")
    assert sum(ids[name] for name in names) == ids["first_run_clusters"]
    assert ids["kept"] > ids["first_run_clusters"] / 2
    assert ids["fraction"] == 0.6 and ids["second_seconds"] > 0


def test_splits_and_merges_are_judged_against_the_truth():
    from bench.identity import _changes_against_truth

    # A (one person, p1) splits: needless. B and C (p2, p3) merge: wrong. D and E (both p4) merge:
    # right. F (p5 and p6) splits: right.
    first = _run(
        {"a1": "A", "a2": "A", "b": "B", "c": "C", "d": "D", "e": "E", "f1": "F", "f2": "F"}
    )
    second = _run(
        {"a1": "A", "a2": "X", "b": "B", "c": "B", "d": "D", "e": "D", "f1": "F", "f2": "Y"}
    )
    people = ["p1", "p1", "p2", "p3", "p4", "p4", "p5", "p6"]
    labelled = first[["source", "source_id"]].assign(person_id=people)
    judged = _changes_against_truth(first, second, labelled)
    assert judged == {"splits_of_one_person": 1, "merges_across_people": 1}
