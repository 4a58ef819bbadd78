"""SQL models: discovery, inferred dependencies, typing, and dead-letter routing."""

import json
from datetime import date
from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from pipeline.store.schema import migrate
from pipeline.store.sql_models import build, discover

MODELS = {m.table: m for m in discover()}


def money(cents):
    return {"amount": cents, "currency": "USD"}


def order(order_id, total, lines, tip=0):
    return {
        "id": order_id,
        "location_id": "LCAFE01",
        "state": "COMPLETED",
        "created_at": "2026-11-20T15:00:00Z",
        "updated_at": "2026-11-20T15:00:01Z",
        "total_money": money(total),
        "total_tip_money": money(tip),
        "total_tax_money": money(sum(li["total_tax_money"]["amount"] for li in lines)),
        "line_items": lines,
    }


def line(uid, gross, tax):
    return {
        "uid": uid,
        "catalog_object_id": "VAR-CAF-ESP",
        "quantity": "1",
        "gross_sales_money": money(gross),
        "total_discount_money": money(0),
        "total_tax_money": money(tax),
        "total_money": money(gross + tax),
    }


@pytest.fixture
def con():
    con = duckdb.connect()
    migrate(con)
    rows = [
        order("good", 481, [line("l1", 350, 31)], tip=100),
        order("bad-money", 0, [line("l1", 350, 31)]) | {"total_money": {"amount": "12.5x"}},
        order("bad-sum", 999, [line("l1", 350, 31)]),
        order("bad-line", 381, [line("l1", 350, 31) | {"total_money": {"amount": 381.0}}]),
        order("exchange", 1000, [line("l1", 950, 50)])
        | {
            "returns": [
                {
                    "source_order_id": "good",
                    "return_line_items": [line("r1", 350, 31) | {"gross_return_money": money(350)}],
                }
            ],
            "return_amounts": {"total_money": money(381)},
        },
    ]
    for payload in rows:
        con.execute(
            "INSERT INTO raw.square_orders VALUES (?, 'cafe', 'LCAFE01', ?, '2026-11-20', "
            "NULL, ?, now(), 'r1')",
            [payload["id"], date(2026, 11, 20), json.dumps(payload)],
        )
    return con


def test_dependencies_are_inferred_from_the_sql():
    assert MODELS["staging.stg_square__order_lines"].deps == [
        ("raw", "square_orders"),
        ("staging", "stg_square__orders"),
    ]
    assert ("core", "identity_map") in MODELS["core.customers"].deps


def test_every_model_has_a_description():
    assert all(m.description for m in MODELS.values())


def test_bad_records_go_to_dead_letter_with_a_reason(con):
    stats = build(con, MODELS["staging.stg_square__orders"], run_id="r1")
    assert stats == {"rows": 2, "dead_letters": 3}
    typed = con.execute(
        "SELECT order_id, total_money, tip_money, is_return, has_returns "
        "FROM staging.stg_square__orders ORDER BY order_id"
    ).fetchall()
    assert typed == [
        ("exchange", Decimal("10.00"), Decimal("0.00"), False, True),
        ("good", Decimal("4.81"), Decimal("1.00"), False, False),
    ]
    dead = dict(con.execute("SELECT record_id, reason FROM ops.dead_letter").fetchall())
    assert dead["bad-money"] == "field total_money.amount is not integer minor units: 12.5x"
    assert dead["bad-sum"] == "order total 999 <> lines 381 + service charges 0 + tip 0"
    assert dead["bad-line"] == "1 line(s) with money that is not integer minor units"
    assert con.execute("SELECT DISTINCT partition_key FROM ops.dead_letter").fetchall() == [
        ("2026-11-20",)
    ]


def test_rebuild_is_idempotent(con):
    for _ in range(2):
        build(con, MODELS["staging.stg_square__orders"], run_id="r1")
        build(con, MODELS["staging.stg_square__order_lines"], run_id="r1")
    assert con.execute("SELECT count(*) FROM ops.dead_letter").fetchone()[0] == 3
    lines = con.execute(
        "SELECT order_id, line_kind, gross_money, tax_money, total_money "
        "FROM staging.stg_square__order_lines ORDER BY ALL"
    ).fetchall()
    assert lines == [
        ("exchange", "return", Decimal("3.50"), Decimal("0.31"), Decimal("3.81")),
        ("exchange", "sale", Decimal("9.50"), Decimal("0.50"), Decimal("10.00")),
        ("good", "sale", Decimal("3.50"), Decimal("0.31"), Decimal("3.81")),
    ]


def test_money_columns_are_decimal_18_2(con):
    build(con, MODELS["staging.stg_square__orders"], run_id="r1")
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'stg_square__orders' AND column_name LIKE '%money'"
        ).fetchall()
    )
    assert set(types.values()) == {"DECIMAL(18,2)"}


def test_dead_letters_are_filed_under_the_models_own_layer(con, tmp_path):
    build(con, MODELS["staging.stg_square__orders"], run_id="r1")
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "flagged.sql").write_text(
        "-- Orders, flagged.\n"
        "SELECT business_id, order_id, business_date, order_id AS _record_id,\n"
        "       json_object('id', order_id) AS _payload,\n"
        "       CASE WHEN order_id = 'exchange' THEN 'has returns' END AS _dlq_reason\n"
        "FROM staging.stg_square__orders"
    )
    [flagged] = discover(tmp_path)
    assert flagged.deps == [("staging", "stg_square__orders")]
    assert build(con, flagged, run_id="r1") == {"rows": 1, "dead_letters": 1}
    stages = con.execute(
        "SELECT stage, count(*) FROM ops.dead_letter GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert stages == [("core:flagged", 1), ("staging:stg_square__orders", 3)]
    dead = con.execute(
        "SELECT record_id, reason, partition_key FROM ops.dead_letter WHERE stage = 'core:flagged'"
    ).fetchall()
    assert dead == [("exchange", "has returns", "2026-11-20")]
    assert con.execute("SELECT order_id FROM core.flagged").fetchall() == [("good",)]


def test_each_currency_of_an_order_its_payments_and_refunds_is_listed_with_a_field(con):
    """What posting holds a foreign-currency order on (pipeline/accounting/holds.py): every
    currency anywhere in the order's, its payments' and its refunds' JSON, named by the first
    booked money field that carries it, else by the key of the object holding it (a modifier's
    base_price_money), the order's own before a payment's."""
    exchange = json.loads(
        con.execute(
            "SELECT payload FROM raw.square_orders WHERE record_id = 'exchange'"
        ).fetchone()[0]
    )
    exchange["line_items"][0]["modifiers"] = [
        {"base_price_money": {"amount": 50, "currency": "EUR"}}
    ]
    con.execute(
        "UPDATE raw.square_orders SET payload = ? WHERE record_id = 'exchange'",
        [json.dumps(exchange)],
    )
    tenders = [
        ("square_payments", "pay1", {"order_id": "good", "amount_money": money(481)}),
        (
            "square_payments",
            "pay2",
            {"order_id": "good", "tip_money": {"amount": 1, "currency": "GBP"}},
        ),
        ("square_refunds", "ref1", {"order_id": "good", "amount_money": {"currency": "CAD"}}),
    ]
    for table, record_id, payload in tenders:
        con.execute(
            f"INSERT INTO raw.{table} VALUES (?, 'cafe', 'LCAFE01', '2026-11-20', '2026-11-20', "
            "NULL, ?, now(), 'r1')",
            [record_id, json.dumps({"id": record_id, **payload})],
        )
    build(con, MODELS["staging.stg_square__orders"], run_id="r1")
    listed = dict(
        con.execute("SELECT order_id, money_currencies FROM staging.stg_square__orders").fetchall()
    )
    assert listed["good"] == [
        {"currency": "CAD", "field": "refund ref1 field amount_money"},
        {"currency": "GBP", "field": "payment pay2 field tip_money"},
        {"currency": "USD", "field": "field total_money"},
    ]
    assert listed["exchange"] == [
        {"currency": "EUR", "field": "field base_price_money"},
        {"currency": "USD", "field": "field total_money"},
    ]


def test_a_model_reading_an_ops_log_comes_after_the_assets_that_write_it():
    """In daily_job, one run over everything, the scorecard's sync error rate is measured after
    the write-back it counts, and freshness after the extracts: ops logs are not assets, so
    these edges come from pipeline/definitions/sql_assets.py, not from the SQL."""
    from pipeline.definitions import defs

    graph = defs.resolve_asset_graph()

    def upstream(key: str) -> set[str]:
        seen: set[str] = set()
        todo = [dg.AssetKey.from_user_string(key)]
        while todo:
            for parent in graph.get(todo.pop()).parent_keys:
                if parent.to_user_string() not in seen:
                    seen.add(parent.to_user_string())
                    todo.append(parent)
        return seen

    assert MODELS["marts.metric_sync_errors"].logs_read == [
        "dead_letter",
        "extract_log",
        "sync_log",
    ]
    errors = upstream("marts/metric_sync_errors")
    # Every asset of the write-back stages writes ops.sync_log.
    from pipeline.definitions.jobs import CRM, LEDGER

    writers = {key.to_user_string() for key in (LEDGER | CRM).resolve(graph)}
    assert "ops/hubspot_deal_status" in writers and len(writers) == 7
    assert writers | {"raw/square_orders", "staging/stg_square__orders"} <= errors
    freshness = upstream("marts/metric_freshness")
    assert {"raw/square_orders", "raw/xero_bank_transactions", "raw/hubspot_contacts"} <= freshness
    # Only models that route rows to ops.dead_letter count as its writers.
    assert "core/sales_lines" not in upstream("marts/metric_pos_extract")


def test_a_line_amount_present_but_not_minor_units_dead_letters_its_order_an_absent_one_not():
    con = duckdb.connect()
    migrate(con)

    def sold(order_id: str, the_line: dict) -> dict:
        return order(order_id, 381, [line("l1", 350, 31)]) | {"line_items": [the_line]}

    no_tax = {k: v for k, v in line("l1", 350, 0).items() if k != "total_tax_money"}
    rows = [
        sold("tax-null", line("l1", 350, 31) | {"total_tax_money": {"amount": None}}),
        sold("discount-text", line("l1", 350, 31) | {"total_discount_money": {"amount": "0"}}),
        sold(
            "no-gross", {k: v for k, v in line("l1", 350, 31).items() if k != "gross_sales_money"}
        ),
        order("no-tax", 350, [line("l1", 350, 0)]) | {"line_items": [no_tax]},
        sold("fine", line("l1", 350, 31)),
    ]
    for payload in rows:
        con.execute(
            "INSERT INTO raw.square_orders VALUES (?, 'cafe', 'LCAFE01', ?, '2026-11-20', "
            "NULL, ?, now(), 'r1')",
            [payload["id"], date(2026, 11, 20), json.dumps(payload)],
        )
    assert build(con, MODELS["staging.stg_square__orders"], run_id="r1") == {
        "rows": 2,
        "dead_letters": 3,
    }
    dead = dict(con.execute("SELECT record_id, reason FROM ops.dead_letter").fetchall())
    assert dead == dict.fromkeys(
        ["tax-null", "discount-text", "no-gross"],
        "1 line(s) with money that is not integer minor units",
    )
