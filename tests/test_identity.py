import pandas as pd

from pipeline.identity import resolve_identities


def frame(rows):
    return pd.DataFrame(rows)


def ids(result):
    return dict(
        zip(result["source"] + ":" + result["source_id"], result["customer_id"], strict=True)
    )


PEOPLE = [
    {"source": "square", "source_id": "sq1", "email": "Ana.Ruiz@Example.com ", "phone": None},
    {
        "source": "hubspot",
        "source_id": "hs1",
        "email": "ana.ruiz@example.com",
        "phone": "(206) 482-1937",
    },
    {"source": "xero", "source_id": "xe1", "email": None, "phone": "+1 206 482 1937"},
    {"source": "square", "source_id": "sq2", "email": "bo@example.net", "phone": None},
]


def test_exact_keys_link_across_systems():
    result = ids(resolve_identities(frame(PEOPLE)))
    assert result["square:sq1"] == result["hubspot:hs1"] == result["xero:xe1"]
    assert result["square:sq2"] != result["square:sq1"]


def test_every_link_explains_itself():
    result = resolve_identities(frame(PEOPLE)).set_index("source_id")
    assert result.at["sq1", "match_rule"] == "exact:email"
    assert result.at["xe1", "match_rule"] == "exact:phone"
    assert result.at["xe1", "phone_e164"] == "+12064821937"
    assert result.at["sq2", "match_rule"] == "singleton"
    assert set(result["match_score"]) == {1.0}


def test_deterministic_regardless_of_row_order():
    a = ids(resolve_identities(frame(PEOPLE)))
    b = ids(resolve_identities(frame(list(reversed(PEOPLE)))))
    assert a == b


def test_generic_email_does_not_merge_strangers():
    rows = [
        {"source": "square", "source_id": "a", "email": "info@cafe.example.com"},
        {"source": "square", "source_id": "b", "email": "INFO@cafe.example.com"},
    ]
    result = ids(resolve_identities(frame(rows)))
    assert result["square:a"] != result["square:b"]


def test_shop_phone_and_overused_keys_are_not_evidence():
    rows = [{"source": "square", "source_id": str(i), "phone": "(718) 555-0100"} for i in range(3)]
    rows += [
        {"source": "square", "source_id": f"x{i}", "email": "family@example.com"} for i in range(12)
    ]
    result = ids(resolve_identities(frame(rows), blocked_values=["+17185550100"]))
    assert len(set(result.values())) == 15


def test_ids_are_stable_across_runs_with_new_data():
    first = resolve_identities(frame(PEOPLE))
    more = [*PEOPLE, {"source": "hubspot", "source_id": "hs9", "email": "new@example.org"}]
    second = resolve_identities(frame(more), previous=first)
    third = resolve_identities(
        frame([*more, {"source": "square", "source_id": "sq7", "email": "other@example.org"}]),
        previous=second,
    )
    for run in (second, third):
        assert {k: v for k, v in ids(run).items() if k in ids(first)} == ids(first)


def test_merge_keeps_the_oldest_id():
    first = resolve_identities(
        frame(
            [
                {"source": "square", "source_id": "old", "email": "kim@example.com"},
                {"source": "hubspot", "source_id": "new", "phone": "2064821937"},
            ]
        )
    )
    first["assigned_at"] = pd.to_datetime(["2026-01-01", "2026-06-01"], utc=True)
    oldest = first.loc[first["source_id"] == "old", "customer_id"].item()
    # New evidence: one record now carries both keys, bridging the two clusters.
    merged = resolve_identities(
        frame(
            [
                {"source": "square", "source_id": "old", "email": "kim@example.com"},
                {"source": "hubspot", "source_id": "new", "phone": "2064821937"},
                {
                    "source": "xero",
                    "source_id": "bridge",
                    "email": "kim@example.com",
                    "phone": "206-482-1937",
                },
            ]
        ),
        previous=first,
    )
    assert set(merged["customer_id"]) == {oldest}


def test_businesses_are_kept_apart():
    rows = [
        {"business_id": "cafe", "source": "square", "source_id": "1", "email": "a@example.com"},
        {"business_id": "studio", "source": "square", "source_id": "1", "email": "a@example.com"},
    ]
    result = resolve_identities(frame(rows))
    assert result["customer_id"].nunique() == 2


def test_key_use_limit_is_counted_per_business():
    rows = [
        {
            "business_id": biz,
            "source": "square",
            "source_id": f"{biz}{i}",
            "email": "shared@example.com",
        }
        for biz in ("cafe", "studio")
        for i in range(5)
    ]
    result = resolve_identities(frame(rows))
    assert result.groupby("business_id")["customer_id"].nunique().to_dict() == {
        "cafe": 1,
        "studio": 1,
    }
