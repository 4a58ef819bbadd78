"""Retired customer ids point at their survivor, within their own business; a split-off part
names the id it left."""

import duckdb
import pandas as pd

from pipeline.store.identity_map import record_aliases, record_splits
from pipeline.store.schema import migrate


def test_a_merged_away_id_points_at_its_survivor_in_its_own_business():
    con = duckdb.connect()
    migrate(con)  # core.identity_aliases
    columns = ["business_id", "source", "source_id", "customer_id"]
    # HubSpot ids repeat across businesses (one portal each): 12001 exists in both.
    previous = pd.DataFrame(
        [
            ("cafe", "hubspot", "12001", "cus_old"),
            ("cafe", "square", "A", "cus_keep"),
            ("studio", "hubspot", "12001", "cus_studio"),
        ],
        columns=columns,
    )
    result = pd.DataFrame(
        [
            ("studio", "hubspot", "12001", "cus_studio"),
            ("cafe", "hubspot", "12001", "cus_keep"),
            ("cafe", "square", "A", "cus_keep"),
        ],
        columns=columns,
    )
    record_aliases(con, previous, result, ["cus_old"])
    assert con.execute("SELECT alias_id, customer_id FROM core.identity_aliases").fetchall() == [
        ("cus_old", "cus_keep")
    ]


def test_a_split_off_part_gets_an_alias_row_saying_where_it_came_from():
    con = duckdb.connect()
    migrate(con)
    columns = ["business_id", "source", "source_id", "customer_id"]
    previous = pd.DataFrame(
        [
            ("cafe", "square", "A", "cus_one"),
            ("cafe", "hubspot", "1", "cus_one"),
            ("cafe", "xero", "x", "cus_one"),
            ("cafe", "square", "B", "cus_two"),
        ],
        columns=columns,
    )
    # New evidence divides cus_one: two records stay, one leaves under a new id.
    result = pd.DataFrame(
        [
            ("cafe", "square", "A", "cus_one"),
            ("cafe", "hubspot", "1", "cus_one"),
            ("cafe", "xero", "x", "cus_new"),
            ("cafe", "square", "B", "cus_two"),
            ("cafe", "square", "C", "cus_brand_new"),
        ],
        columns=columns,
    )
    assert record_splits(con, previous, result) == [("cus_new", "cus_one")]
    rows = con.execute("SELECT alias_id, customer_id, reason FROM core.identity_aliases").fetchall()
    assert rows == [("cus_new", "cus_one", "split: 1 record(s) left cus_one, which kept 2")]
