"""The probabilistic model on hand-made cases: keys that survive typos, households that stay apart,
weights learned from the data, and explanations that add up."""

import json

import numpy as np
import pandas as pd

from pipeline.identity import resolve_identities
from pipeline.identity.evidence import build
from pipeline.identity.model import fit
from pipeline.identity.scoring import Fields


def resolve(rows, **kwargs):
    result = resolve_identities(pd.DataFrame(rows), **kwargs)
    return result.set_index(result["source"] + ":" + result["source_id"])


def person(source, source_id, **fields):
    return {"source": source, "source_id": source_id, **fields}


def test_a_loyalty_id_links_despite_a_misspelt_surname_and_a_different_street():
    result = resolve(
        [
            person(
                "square",
                "1",
                given_name="Katherine",
                family_name="Wojciechowski",
                loyalty_id="LOY-004417",
                address="12 Pine St",
            ),
            person(
                "hubspot",
                "2",
                given_name="Katherine",
                family_name="Wojcekowsky",
                loyalty_id="loy4417",
                address="880 Harbor Blvd Apt 3",
            ),
        ]
    )
    assert result.at["square:1", "customer_id"] == result.at["hubspot:2", "customer_id"]
    assert result.at["hubspot:2", "match_rule"] == "exact:loyalty_id"


def test_two_people_sharing_a_household_phone_stay_apart_and_the_refusal_is_counted():
    rows = [
        person("square", "1", given_name="Grace", family_name="Mensah", phone="(312) 555-0147"),
        person("hubspot", "2", given_name="Kwame", family_name="Mensah", phone="312.555.0147"),
        person("xero", "3", given_name="Grace", family_name="Mensah", phone="+1 312 555 0147"),
    ]
    result = resolve(rows)
    assert result.at["square:1", "customer_id"] != result.at["hubspot:2", "customer_id"]
    assert result.at["square:1", "customer_id"] == result.at["xero:3", "customer_id"]
    raw = resolve_identities(pd.DataFrame(rows))
    assert raw.attrs["refused_key_links"]["phone"]["two_people"] == 2


def test_the_waterfall_sums_to_the_match_weight_and_gives_the_probability():
    result = resolve(
        [
            person(
                "square",
                "1",
                given_name="Jon",
                family_name="Okonkwo",
                address="41 Alder Street",
                postcode="98103",
                birth_date="1984-05-02",
            ),
            person(
                "hubspot",
                "2",
                given_name="John",
                family_name="Okonkwo",
                address="41 Alder St",
                postcode="98103",
                birth_date="1984-05-02",
            ),
        ]
    )
    row = result.loc["hubspot:2"]
    assert row["match_rule"] == "fuzzy"
    steps = json.loads(row["match_waterfall"])
    assert steps[0]["field"] == "prior"
    assert {s["field"] for s in steps[1:]} == {
        "given",
        "family",
        "birth_date",
        "loyalty_id",
        "email",
        "phone",
        "address",
        "postcode",
    }
    total = sum(s["bits"] for s in steps)
    assert abs(total - row["match_weight"]) < 1e-3
    assert abs(row["match_probability"] - 1 / (1 + 2 ** -row["match_weight"])) < 1e-5
    by_field = {s["field"]: s for s in steps}
    assert by_field["email"]["level"] == "missing" and by_field["email"]["bits"] == 0
    assert by_field["birth_date"]["level"] == "same" and by_field["birth_date"]["bits"] > 0


def _people(n: int, garbled_birth_dates: float, seed: int = 3) -> pd.DataFrame:
    """n people with two records each; a share of the second records has a wrong birth date."""
    rng = np.random.default_rng(seed)
    given = rng.choice(["Ana", "Ben", "Chloe", "Dev", "Eli", "Fay", "Gus", "Hana"], n)
    syllables = np.array(["ka", "lo", "mer", "tan", "vi", "dor", "sa", "ren", "pol", "gu"])
    family = np.array(["".join(rng.choice(syllables, 4)).title() for _ in range(n)])
    birth = pd.to_datetime("1950-01-01") + pd.to_timedelta(rng.integers(0, 20000, n), "D")
    other = pd.to_datetime("1950-01-01") + pd.to_timedelta(rng.integers(0, 20000, n), "D")
    wrong = rng.random(n) < garbled_birth_dates
    second_birth = np.where(wrong, other, birth)
    postcode = rng.integers(10000, 10100, n).astype(str)
    first = pd.DataFrame(
        {
            "source": "square",
            "source_id": [f"a{k}" for k in range(n)],
            "given_name": given,
            "family_name": family,
            "postcode": postcode,
            "birth_date": pd.Series(birth).dt.strftime("%Y-%m-%d"),
        }
    )
    second = first.assign(
        source="hubspot",
        source_id=[f"b{k}" for k in range(n)],
        birth_date=pd.Series(second_birth).dt.strftime("%Y-%m-%d"),
    )
    return pd.concat([first, second], ignore_index=True)


def test_em_learns_how_much_a_birth_date_disagreement_says_from_the_data():
    def weight_of_a_different_birth_date(records: pd.DataFrame) -> float:
        table = fit(Fields(build(records))).table()
        row = table[(table["field"] == "birth_date") & (table["level"] == "different")]
        return float(row["weight"].iloc[0])

    careful = weight_of_a_different_birth_date(_people(4000, garbled_birth_dates=0.0))
    sloppy = weight_of_a_different_birth_date(_people(4000, garbled_birth_dates=0.3))
    # Clean data: a different birth date is strong proof of two people. Data whose clerks get a
    # third of birth dates wrong: it says much less, and the model must have noticed.
    assert careful < -7
    assert sloppy > careful + 3


def test_the_model_is_deterministic_and_ignores_row_order():
    records = _people(1500, garbled_birth_dates=0.1)
    a = resolve_identities(records)
    b = resolve_identities(records.sample(frac=1, random_state=5))
    key = ["source", "source_id"]
    merged = a.merge(b, on=key, suffixes=("_a", "_b"))
    assert (merged["customer_id_a"] == merged["customer_id_b"]).all()
    assert np.allclose(
        merged["match_weight_a"].fillna(0), merged["match_weight_b"].fillna(0), atol=1e-9
    )
