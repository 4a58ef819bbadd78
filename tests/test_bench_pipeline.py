"""The pipeline benchmark's harness works at a tiny size: the end-to-end run over the scaled
simulator, then the SQL stages and the posting at two sizes, each agreeing with its floor.

No timing is asserted (the goals are bench/'s, as ratios); what is checked is that the numbers
mean something: every stage's result equals its floor's, and copies multiply the rows exactly.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from bench.pipeline import main
from bench.pipeline_stages import multiply


@pytest.mark.e2e
def test_the_bench_runs_one_location_day_end_to_end_and_every_stage_agrees_with_its_floor(
    tmp_path,
):
    out = tmp_path / "report.json"
    argv = ["--locations", "1", "--orders-per-day", "20", "--days", "1", "--sizes", "1,2"]
    argv += ["--workdir", str(tmp_path / "work"), "--json", str(out), "--quiet"]
    assert main(argv) == 0
    report = json.loads(out.read_text())
    e2e = report["end_to_end"]
    assert e2e["exit_status"] == 0
    # About 20 orders (weekday factor, +-10 %), every one with at least one line.
    assert 14 <= e2e["orders"] <= 26 and e2e["order_lines"] >= e2e["orders"]
    # The simulator answered every request; the pipeline's own time is the rest of the wall.
    assert 0 < e2e["simulator_s"] < e2e["wall_s"]
    assert e2e["pipeline_s"] == pytest.approx(e2e["wall_s"] - e2e["simulator_s"], abs=0.02)
    one, two = report["sizes"]
    assert one["order_lines"] == e2e["order_lines"]
    assert two["order_lines"] == 2 * one["order_lines"]
    for size in (one, two):
        assert size["peak_rss_mb"] > 50
        for stage in ("staging", "core", "posting", "marts"):
            result = size["stages"][stage]
            assert result["agree"], (size["copies"], stage, result)
            assert result["real_rows"] == result["floor_rows"] > 0
            assert result["real_s"] > 0 and result["floor_s"] > 0
    assert report["scaling"][0]["rows_x"] == 2.0


def test_copies_are_new_locations_with_their_own_ids_and_the_same_links(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA ref")
    columns = (
        "record_id VARCHAR, business_id VARCHAR, location_id VARCHAR, business_date DATE, "
        "partition_key VARCHAR, updated_at TIMESTAMPTZ, payload JSON, _extracted_at TIMESTAMPTZ, "
        "_run_id VARCHAR"
    )
    for table in (
        "square_orders",
        "square_payments",
        "square_refunds",
        "square_payouts",
        "square_payout_entries",
        "square_disputes",
        "square_customers",
    ):
        con.execute(f"CREATE TABLE raw.{table} ({columns})")
    con.execute("CREATE TABLE ref.locations (location_id VARCHAR, business_id VARCHAR)")
    con.execute("INSERT INTO ref.locations VALUES ('LCAFE01', 'cafe')")
    order = {
        "id": "rDEXbGcfRxmnQNMrUVlDhgsVvcQ",
        "location_id": "LCAFE01",
        "customer_id": "3EGV2YCBCTQYSV7K4XOAXKYLQ3",
        "line_items": [{"uid": "auf5K8FdAhrebya4kiMMxP-t", "catalog_object_id": "VAR-CAF-SAN"}],
        "tenders": [{"payment_id": "DP3hkIwEGingn3zIota9YiFIhPi9x", "type": "CASH"}],
        "created_at": "2026-11-19T12:26:33.698Z",
    }
    entry = {"id": "poe_OEbBsXJKD5V2rGZBZQkI1oGjm6",
             "payout_id": "po_3c100a0d-a99a-526c-866f-53c390bb4044"}  # fmt: skip
    row = "(?, 'cafe', 'LCAFE01', DATE '2026-11-19', '2026-11-19', NULL, ?, now(), 'r')"
    con.execute(f"INSERT INTO raw.square_orders VALUES {row}", [order["id"], json.dumps(order)])
    con.execute(
        f"INSERT INTO raw.square_payout_entries VALUES {row}", [entry["id"], json.dumps(entry)]
    )
    multiply(con, 3)
    copies = con.execute(
        "SELECT record_id, location_id, payload FROM raw.square_orders ORDER BY record_id"
    ).fetchall()
    assert [c[:2] for c in copies] == [
        ("rDEXbGcfRxmnQNMrUVlDhgsVvcQ", "LCAFE01"),
        ("rDEXbGcfRxmnQNMrUVlDhgsVvcQ_c1", "LCAFE01_c1"),
        ("rDEXbGcfRxmnQNMrUVlDhgsVvcQ_c2", "LCAFE01_c2"),
    ]
    second = json.loads(copies[2][2])
    assert second["id"] == "rDEXbGcfRxmnQNMrUVlDhgsVvcQ_c2"
    assert second["location_id"] == "LCAFE01_c2"
    assert second["customer_id"] == "3EGV2YCBCTQYSV7K4XOAXKYLQ3_c2"
    assert second["tenders"][0]["payment_id"] == "DP3hkIwEGingn3zIota9YiFIhPi9x_c2"
    # Catalog ids, line uids (unique within their order) and timestamps are left alone.
    assert second["line_items"][0] == order["line_items"][0]
    assert second["created_at"] == order["created_at"]
    entries = con.execute("SELECT payload FROM raw.square_payout_entries").fetchall()
    assert {json.loads(p)["payout_id"] for (p,) in entries} == {
        "po_3c100a0d-a99a-526c-866f-53c390bb4044",
        "po_3c100a0d-a99a-526c-866f-53c390bb4044_c1",
        "po_3c100a0d-a99a-526c-866f-53c390bb4044_c2",
    }
    assert con.execute("SELECT count(*) FROM ref.locations").fetchone()[0] == 3
