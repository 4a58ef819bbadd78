"""SQL model lineage: the tables a model reads, found by parsing it (sqlglot, DuckDB dialect)."""

import re

import pytest

from pipeline.store.sql_models import SqlModelError, discover, tables_read

# The pattern that found dependencies before the parser did: the oracle for the real models.
_OLD_REF = re.compile(r"\b(raw|ref|staging|core|marts)\.([a-z_][a-z0-9_]*)\b")
_OLD_COMMENT = re.compile(r"--[^\n]*")


def old_regex_deps(model):
    found = {m.groups() for m in _OLD_REF.finditer(_OLD_COMMENT.sub("", model.sql))}
    found.discard((model.layer, model.name))
    return sorted(found)


def test_every_real_model_parses_and_agrees_with_the_old_pattern():
    models = discover()
    assert len(models) == 53
    for model in models:
        assert model.deps == old_regex_deps(model), model.table


def test_representative_real_models():
    by_table = {m.table: m for m in discover()}
    assert by_table["core.tenders"].deps == [("ref", "tenders")]
    assert by_table["core.tender_facts"].deps == [
        ("core", "tenders"),
        ("ref", "lifecycle_states"),
        ("staging", "stg_square__disputes"),
        ("staging", "stg_square__payments"),
        ("staging", "stg_square__payout_entries"),
        ("staging", "stg_square__refunds"),
    ]
    assert by_table["marts.metric_pos_extract"].deps == [
        ("raw", "square_orders"),
        ("raw", "square_payments"),
        ("raw", "square_refunds"),
    ]
    # The scorecards read every metric model and nothing else.
    metric_models = sorted(("marts", t.split(".")[1]) for t in by_table if ".metric_" in t)
    assert by_table["marts.scorecard_daily"].deps == metric_models
    assert by_table["marts.scorecard_weekly"].deps == metric_models


DUCKDB_SQL = """
-- a comment naming marts.in_a_comment must not count
WITH orders AS (              -- a CTE that shares a real table's name
    SELECT DISTINCT ON (o.order_id) o.* EXCLUDE (payload), money(o.total) AS total_money
    FROM staging.stg_square__orders AS o
    QUALIFY row_number() OVER (PARTITION BY o.order_id ORDER BY o.updated_at DESC) = 1
),
unused AS (SELECT 1 AS one),  /* block comment: core.in_a_block_comment */
lines AS (
    SELECT
        l.order_id,
        list_transform(l.parts, x -> x * 2) AS doubled,
        list_transform(l.parts, lambda y: y + 1) AS bumped,
        list_filter(l.parts, lambda p: p > 0) AS positive,
        TRY_CAST(l.payload ->> '$.quantity' AS DECIMAL(18, 3)) AS quantity,
        l.payload -> '$.modifiers' AS modifiers
    FROM raw.square_orders AS l
    JOIN ref.products USING (business_id)
    LEFT JOIN (SELECT business_id, min(country) AS country FROM ref.locations GROUP BY ALL) AS loc
        USING (business_id)
    WHERE l.order_id IN (SELECT order_id FROM core.sales_lines)
)
SELECT
    orders.*,
    lines.* EXCLUDE (order_id),
    'core.in_a_string' AS label,
    'it''s marts.escaped' AS other,
    r.range AS n,
    j.*
FROM orders
JOIN lines USING (order_id)
CROSS JOIN range(3) AS r
CROSS JOIN read_json_auto('raw/core.not_a_table.json') AS j
CROSS JOIN unnest([1, 2]) AS u(v)
ORDER BY ALL
"""


def test_duckdb_syntax_ctes_subqueries_literals_and_comments():
    assert sorted(tables_read(DUCKDB_SQL)) == [
        ("core", "sales_lines"),
        ("raw", "square_orders"),
        ("ref", "locations"),
        ("ref", "products"),
        ("staging", "stg_square__orders"),
    ]


def test_a_qualified_name_is_the_table_even_when_a_cte_shares_it():
    sql = "WITH sales_lines AS (SELECT 1 AS a) SELECT * FROM core.sales_lines, sales_lines"
    assert tables_read(sql) == {("core", "sales_lines")}


def test_other_schemas_and_table_functions_are_not_models():
    sql = "SELECT * FROM ops.dead_letter, core.some_macro(1) AS m, main.t, x.core"
    assert tables_read(sql) == set()


def test_a_model_never_depends_on_itself(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "totals.sql").write_text(
        "-- Totals.\nSELECT * FROM core.totals UNION ALL SELECT * FROM core.sales_lines"
    )
    [model] = discover(tmp_path)
    assert model.deps == [("core", "sales_lines")]


@pytest.mark.parametrize(
    "sql",
    ["SELEC 1 FROM raw.square_orders", "SELECT a FROM raw.t WHERE", "SELECT 1; SELECT 2"],
)
def test_an_unparseable_model_fails_naming_its_file(tmp_path, sql):
    (tmp_path / "staging").mkdir()
    path = tmp_path / "staging" / "stg_broken.sql"
    path.write_text(sql)
    [model] = discover(tmp_path)
    with pytest.raises(SqlModelError) as caught:
        _ = model.deps
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message
