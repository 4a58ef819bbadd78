"""Retired customer ids point at their survivor, within their own business."""

import duckdb
import pandas as pd

from pipeline.store.identity_map import record_aliases
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
