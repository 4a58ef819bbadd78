"""core.products on a small warehouse: crosswalk matching and POS barcodes flagged, not used."""

from decimal import Decimal

import duckdb
import pytest

from pipeline.store.contracts import validate_table
from pipeline.store.reference_files import load_all
from pipeline.store.schema import migrate
from pipeline.store.sql_models import build, discover

MODELS = {m.table: m for m in discover()}


@pytest.fixture
def con():
    con = duckdb.connect()
    migrate(con)
    for name, frame in load_all().items():
        con.register("_ref", frame.replace({"": None}))
        con.execute(f"CREATE TABLE ref.{name} AS SELECT * FROM _ref")
        con.unregister("_ref")
    con.execute(
        """CREATE TABLE staging.stg_square__catalog_variations AS
        SELECT * FROM (VALUES
            ('VAR-BTQ-TEE-S', 'boutique', 'Organic Tee', 'Small', 'BTQ-TEE-S', '0850002000016',
             3200),
            ('VAR-BTQ-TEE-M', 'boutique', 'Organic Tee', 'Medium', 'BTQ-TEE-M', '0850002000024',
             3200),
            ('VAR-BTQ-TEE-L', 'boutique', 'Organic Tee', 'Large', 'BTQ-TEE-L', '0850002000061',
             3200),
            ('VAR-BTQ-CNDL', 'boutique', 'Cedar Candle', '8 oz', 'CNDL-CEDAR-8', NULL, 2800),
            ('VAR-CAF-CC', 'cafe', 'Morning Combo', 'Combo', NULL, NULL, 695),
            ('VAR-X', 'cafe', 'Coffee & Croissant', 'Regular', NULL, NULL, 695)
        ) AS v(variation_id, business_id, item_name, variation_name, sku, upc, cents)
        """
    )
    con.execute(
        "CREATE OR REPLACE TABLE staging.stg_square__catalog_variations AS "
        "SELECT * EXCLUDE (cents), money(cents) AS price_money "
        "FROM staging.stg_square__catalog_variations"
    )
    build(con, MODELS["core.products"])
    return con


def test_pos_barcodes_are_flagged_not_used(con):
    rows = dict(
        (sku, (barcode, issue))
        for sku, barcode, issue in con.execute(
            "SELECT sku, barcode, pos_barcode_issue FROM core.products WHERE sku LIKE 'BTQ-TEE-%'"
        ).fetchall()
    )
    assert rows == {
        "BTQ-TEE-S": ("0850002000016", None),
        # A typo in Square (bad check digit): flagged; the catalog keeps products.csv's code.
        "BTQ-TEE-M": ("0850002000023", "POS barcode is not a valid GTIN"),
        # A valid GTIN, but another product's: flagged as disagreeing.
        "BTQ-TEE-L": ("0850002000030", "POS barcode differs from products.csv"),
    }


def test_pos_items_reach_skus_only_through_the_crosswalk(con):
    rows = {
        sku: (variation, rule)
        for sku, variation, rule in con.execute(
            "SELECT sku, square_variation_id, pos_match_rule FROM core.products "
            "WHERE sku IN ('BTQ-CNDL', 'CAF-CC', 'CAF-ESP')"
        ).fetchall()
    }
    # "Coffee & Croissant" (VAR-X) has the accounting name but no SKU and no crosswalk row:
    # it matches nothing. The crosswalk's VAR-CAF-CC ("Morning Combo") is the bundle.
    assert rows == {
        "BTQ-CNDL": ("VAR-BTQ-CNDL", "crosswalk:catalog_id"),
        "CAF-CC": ("VAR-CAF-CC", "crosswalk:catalog_id"),
        "CAF-ESP": (None, None),
    }


def test_bundle_cost_is_its_components_and_it_has_no_account_of_its_own(con):
    assert con.execute(
        "SELECT revenue_account, unit_cost, is_bundle, bundle_components FROM core.products "
        "WHERE sku = 'CAF-CC'"
    ).fetchone() == (None, Decimal("1.45"), True, 2)


def test_a_pos_priced_product_has_no_list_price_nor_cost_and_keeps_its_contract(con):
    # A gift card sold at whatever value the customer asks: products.csv leaves both blank.
    con.execute("UPDATE ref.products SET price = NULL, cost = NULL WHERE sku = 'CAF-GC25'")
    build(con, MODELS["core.products"])
    validate_table(con, "core.products")
    assert con.execute(
        "SELECT list_price, unit_cost, revenue_account FROM core.products WHERE sku = 'CAF-GC25'"
    ).fetchone() == (None, None, "2300")
