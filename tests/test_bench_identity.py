"""The identity benchmark's own correctness: its metrics, and that its generator is honest."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from rapidfuzz.distance import Levenshtein

from bench import names
from bench.identity import scores
from bench.identity_data import (
    GENERIC_EMAILS,
    INPUT_COLUMNS,
    PLACEHOLDER_PHONES,
    TRUTH_COLUMNS,
    Noise,
    _birth_typo,
    _phone_numbers,
    evidence_reach,
    exact_key_reach,
    generate,
)

# --- metrics --------------------------------------------------------------------------------------


def test_scores_on_a_hand_computed_contingency():
    # true:      a a a | b b | c        pred: x x | y y y | z
    # cells: (a,x)=2 (a,y)=1 (b,y)=2 (c,z)=1
    # same-cluster pairs: predicted 1+3+0 = 4, true 3+1+0 = 4, both 1+0+1+0 = 2
    true = ["a", "a", "a", "b", "b", "c"]
    pred = ["x", "x", "y", "y", "y", "z"]
    s = scores(true, pred)
    assert (s["true_pairs"], s["predicted_pairs"], s["true_positive_pairs"]) == (4, 4, 2)
    assert s["pair_precision"] == pytest.approx(0.5)
    assert s["pair_recall"] == pytest.approx(0.5)
    assert s["pair_f1"] == pytest.approx(0.5)
    # only {c} == {z} is exactly right: 1 of 3 predicted, 1 of 3 true clusters
    assert s["exact_clusters"] == 1
    assert s["cluster_precision"] == pytest.approx(1 / 3)
    assert s["cluster_recall"] == pytest.approx(1 / 3)
    assert s["cluster_f1"] == pytest.approx(1 / 3)
    assert (s["merged_clusters"], s["split_people"], s["largest_cluster"]) == (1, 1, 3)


def test_scores_overmerge_and_perfect_and_singletons():
    # Everything in one cluster: 6 predicted pairs, 2 true, both found.
    merged = scores([1, 1, 2, 2], ["k", "k", "k", "k"])
    assert merged["pair_precision"] == pytest.approx(1 / 3)
    assert merged["pair_recall"] == 1.0
    assert merged["pair_f1"] == pytest.approx(0.5)
    assert merged["cluster_precision"] == merged["cluster_recall"] == 0.0

    perfect = scores([5, 5, 6, 7, 7, 7], ["p", "p", "q", "r", "r", "r"])
    assert perfect["pair_f1"] == perfect["cluster_f1"] == 1.0

    # All singletons: no predicted pair is wrong, none of the 3 true pairs is found.
    alone = scores([1, 1, 1, 2], ["a", "b", "c", "d"])
    assert (alone["pair_precision"], alone["pair_recall"], alone["pair_f1"]) == (1.0, 0.0, 0.0)
    assert alone["cluster_recall"] == pytest.approx(1 / 2)  # {d} is exactly person 2


def test_scores_agree_with_enumerating_pairs():
    rng = np.random.default_rng(0)
    for _ in range(20):
        n = int(rng.integers(2, 40))
        true = rng.integers(0, 8, n)
        pred = rng.integers(0, 8, n)
        pairs = list(itertools.combinations(range(n), 2))
        same_true = {(i, j) for i, j in pairs if true[i] == true[j]}
        same_pred = {(i, j) for i, j in pairs if pred[i] == pred[j]}
        s = scores(true, pred)
        assert s["true_pairs"] == len(same_true)
        assert s["predicted_pairs"] == len(same_pred)
        assert s["true_positive_pairs"] == len(same_true & same_pred)
        true_sets = {frozenset(np.flatnonzero(true == t)) for t in set(true)}
        pred_sets = {frozenset(np.flatnonzero(pred == p)) for p in set(pred)}
        assert s["exact_clusters"] == len(true_sets & pred_sets)


# --- generator ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return generate(20_000, seed=11)


def test_same_seed_same_frame_other_seed_other_frame():
    a, b = generate(3000, seed=5), generate(3000, seed=5)
    pd.testing.assert_frame_equal(a, b)
    c = generate(3000, seed=6)
    assert not a["email"].equals(c["email"])


def test_shape_and_truth_kept_apart(records):
    assert list(records.columns) == INPUT_COLUMNS + TRUTH_COLUMNS
    assert len(records) == 20_000
    assert not set(TRUTH_COLUMNS) & set(INPUT_COLUMNS)
    assert not records.duplicated(["source", "source_id"]).any()
    assert set(records["source"]) == {"square", "hubspot", "xero"}
    # Row order is shuffled, so a resolver cannot lean on neighbours being one person.
    assert (records["person_id"].diff() == 0).mean() < 0.05


def test_records_per_person_are_skewed(records):
    k = records["person_id"].value_counts()
    assert 0.40 < (k == 1).mean() < 0.60
    assert (k >= 5).sum() > 50
    assert k.max() <= len(Noise().records_per_person)


def test_presence_rates_follow_the_noise_model(records):
    noise = Noise()
    by_source = records.groupby("source")
    for column, rates in [("email", noise.email_present), ("phone", noise.phone_present)]:
        present = by_source[column].apply(lambda s: s.notna().mean())
        # Generic emails and placeholder phones are typed in even where none was given.
        assert present["square"] == pytest.approx(rates[0], abs=0.04)
        assert present["hubspot"] == pytest.approx(rates[1], abs=0.04)


def test_some_people_share_no_exact_key_across_their_records(records):
    reach = exact_key_reach(records)
    assert 0.1 < reach["people_split_by_exact_keys"] < 0.7
    assert 0.5 < reach["exact_key_pair_recall"] < 0.95


def test_evidence_reach_adds_addresses_and_birth_dates_on_a_hand_made_frame():
    # One person, three records: r1-r2 share an email, r2-r3 an address (typed differently),
    # r4 shares only a birth date with r1. A second person has one record.
    frame = pd.DataFrame(
        {
            "person_id": [1, 1, 1, 1, 2],
            "email": ["a@x.org", "A@x.org ", None, None, "a@x.org"],
            "phone": [None] * 5,
            "loyalty_id": [None] * 5,
            "address": [None, "12 North Main Street", "12 N Main St.", None, None],
            "birth_date": ["1980-02-03", None, None, "02/03/1980", None],
        }
    )
    # Exact keys reach only r1-r2 of person 1's six pairs (person 2 adds none); evidence all.
    assert exact_key_reach(frame)["exact_key_pair_recall"] == pytest.approx(1 / 6)
    assert evidence_reach(frame)["evidence_pair_recall"] == pytest.approx(1.0)


def _phone_digits(value):
    digits = re.sub(r"\D", "", value)
    return digits[1:] if len(digits) == 11 and digits[0] == "1" else digits


def test_hard_negatives_exist(records):
    household = records[records["household_id"] >= 0]
    assert household["household_id"].nunique() > 100
    # Household members (different people) under one email or one phone number.
    for column, canon in [("email", lambda v: v.strip().lower()), ("phone", _phone_digits)]:
        values = household[column].dropna().map(canon)
        owners = household.loc[values.index].assign(key=values).groupby("key")["person_id"]
        assert (owners.nunique() > 1).sum() > 10, column
    # The same common name on different people.
    named = records.dropna(subset=["given_name", "family_name"])
    full = named["given_name"].str.strip().str.lower() + " " + named["family_name"].str.lower()
    people_per_name = named.assign(full=full).groupby("full")["person_id"].nunique()
    assert (people_per_name >= 2).sum() > 20
    # The shop's own number for walk-ins: one number on many people.
    phones = records.dropna(subset=["phone"])
    people_per_phone = phones.assign(d=phones["phone"].map(_phone_digits)).groupby("d")
    assert people_per_phone["person_id"].nunique().max() > 50
    assert records["email"].isin(GENERIC_EMAILS).sum() > 50
    assert records["phone"].isin(PLACEHOLDER_PHONES).sum() > 20


def test_typing_noise_occurs(records):
    phones = records["phone"].dropna()
    shapes = phones.str.replace(r"\d", "9", regex=True).value_counts()
    assert len(shapes[shapes > 20]) >= 6
    emails = records["email"].dropna()
    assert emails.str.contains(r"\+\w+@gmail\.com$").sum() > 10
    typo_domains = {t for typos in names.DOMAIN_TYPOS.values() for t in typos}
    assert emails.str.split("@").str[1].str.strip().str.lower().isin(typo_domains).sum() > 10
    assert (emails != emails.str.strip()).sum() > 50
    assert records["postcode"].dropna().str.fullmatch(r"\d{5}-\d{4}").sum() > 100
    loyalty = records["loyalty_id"].dropna()
    for pattern in (r"LOY-\d{6}", r"loy\d+", r"\d+", r"LOY \d+"):
        assert loyalty.str.fullmatch(pattern).sum() > 20, pattern
    addresses = records["address"].dropna()
    assert addresses.str.contains(r" St\.?(?:,|$| )").sum() > 50
    assert addresses.str.contains(r" Street").sum() > 50
    assert addresses.str.contains(r"Apt|Apartment|#|Unit").sum() > 50


def test_names_are_noisy_like_people_type_them(records):
    # A person's most frequent given name is the formal one; others are often its nicknames.
    named = records[["person_id", "given_name"]].dropna()
    counts = named.value_counts().reset_index()
    formal = counts.drop_duplicates("person_id").set_index("person_id")["given_name"]
    nick_hits = sum(
        given in names.NICKNAMES.get(formal[person], ())
        for person, given in named.itertuples(index=False)
    )
    assert nick_hits > 200
    upper = records["family_name"].dropna()
    assert (upper == upper.str.upper()).sum() > 100
    assert records["family_name"].dropna().str.contains("[áéíóúñÁ]").sum() > 10


def _loyalty_number(value):
    return str(int(re.sub(r"\D", "", value)))


def test_keys_carry_typos(records):
    # Loyalty numbers: some members' records carry two numbers one digit or one swap apart.
    loyalty = records.dropna(subset=["loyalty_id"])
    numbers = loyalty.assign(n=loyalty["loyalty_id"].map(_loyalty_number))
    per_member = numbers.groupby("person_id")["n"].unique()
    typed = [sorted(v, key=len) for v in per_member if len(v) > 1]
    assert len(typed) > 10
    assert all(Levenshtein.distance(v[0], v[-1]) <= 2 for v in typed)
    # Phones: besides dropped digits, valid numbers with one wrong or two swapped digits.
    phones = records.dropna(subset=["phone"])
    digits = phones.assign(d=phones["phone"].map(_phone_digits))
    valid = digits[digits["d"].str.len() == 10]
    near = [
        a
        for v in valid.groupby("person_id")["d"].unique()
        for a, b in itertools.combinations(v, 2)
        if Levenshtein.distance(a, b) == 1
        or (Levenshtein.distance(a, b) == 2 and sorted(a) == sorted(b))
    ]
    assert len(near) > 10


def test_birth_date_typos_swap_day_and_month_or_miss_the_year():
    assert _birth_typo("1984-03-07") == "1984-07-03"
    assert _birth_typo("1984-03-27") == "1985-03-27"
    assert _birth_typo("1989-05-05") == "1988-05-05"


def test_married_names_keep_the_mailbox_and_moves_change_the_zip(records):
    # A married name: one person, one mailbox, two family names far apart (not a typo).
    named = records.dropna(subset=["family_name", "email"])
    named = named.assign(
        f=named["family_name"].str.strip().str.lower(), e=named["email"].str.strip().str.lower()
    )
    married = [
        names
        for names in named.groupby(["person_id", "e"])["f"].unique()
        if any(Levenshtein.distance(a, b) > 3 for a, b in itertools.combinations(names, 2))
    ]
    assert len(married) > 20
    assert any("-" in name for names in married for name in names)
    # Moved house: one person, two 5-digit ZIPs.
    zips = records.dropna(subset=["postcode"]).assign(z=lambda f: f["postcode"].str[:5])
    assert (zips.groupby("person_id")["z"].nunique() > 1).sum() > 100


def _numbers_shared_in_a_household_under_two_given_names(records) -> int:
    household = records[records["household_id"] >= 0].dropna(subset=["phone", "given_name"])
    shared = household.assign(
        d=household["phone"].map(_phone_digits), g=household["given_name"].str.strip().str.lower()
    ).groupby("d")
    per_number = shared.agg(
        people=("person_id", "nunique"), given=("g", "nunique"), homes=("household_id", "nunique")
    )
    return int(
        ((per_number["people"] > 1) & (per_number["homes"] == 1) & (per_number["given"] > 1)).sum()
    )


def test_household_members_share_a_mobile_under_different_given_names():
    # Landlines off, so what is shared is the first member's mobile; with mobiles off as well,
    # nothing is (the shop's phone aside, which is filtered out by "one household").
    no_landline = Noise(household_shares_phone=0.0, shop_phone=(0.0, 0.0, 0.0))
    assert (
        _numbers_shared_in_a_household_under_two_given_names(generate(20_000, 11, no_landline)) > 10
    )
    neither = Noise(household_shares_phone=0.0, household_shares_mobile=0.0)
    assert _numbers_shared_in_a_household_under_two_given_names(generate(20_000, 11, neither)) == 0


def test_generated_phone_numbers_are_valid_us_numbers():
    numbers = _phone_numbers(np.random.default_rng(1), np.arange(3000) % 3 == 0)
    for number in numbers:
        parsed = phonenumbers.parse(str(number), "US")
        assert phonenumbers.is_valid_number(parsed), number
