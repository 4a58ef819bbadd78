"""A hand-made week for the scorecard's metric models: the few columns each metric reads, typed as
the warehouse types them, for the cafe (LCAFE01, America/New_York) in the ISO week Monday
2026-11-16 .. Sunday 2026-11-22. Each test inserts its own rows and builds the models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

import duckdb

from pipeline.store.connection import insert_many as _insert_many
from pipeline.store.reference_files import load_all, replace_reference_tables
from pipeline.store.schema import migrate
from pipeline.store.sql_models import build, discover

MODELS = {m.table: m for m in discover()}
CAFE, LOC = "cafe", "LCAFE01"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # the run's clock (BACKBONE_NOW)

INPUTS = {
    "core.tender_facts": "business_id VARCHAR, location_id VARCHAR, business_date DATE, "
    "fact_kind VARCHAR, fact_id VARCHAR, payout_id VARCHAR",
    "marts.reconciliation": "business_id VARCHAR, location_id VARCHAR, payout_id VARCHAR, "
    "arrival_date DATE, deposit_date DATE, status VARCHAR, expected_amount DECIMAL(18, 2), "
    "difference DECIMAL(18, 2), match_group VARCHAR",
    "core.sales_lines": "business_id VARCHAR, location_id VARCHAR, business_date DATE, "
    "order_id VARCHAR, line_kind VARCHAR, gross_money DECIMAL(18, 2), "
    "discount_money DECIMAL(18, 2)",
    "core.customer_purchases": "business_id VARCHAR, customer_id VARCHAR, order_id VARCHAR, "
    "location_id VARCHAR, business_date DATE, ordered_at TIMESTAMPTZ, line_kind VARCHAR, "
    "net_amount DECIMAL(18, 2), counts_in_ltv BOOLEAN",
    "marts.segment_candidates": "business_id VARCHAR, segment VARCHAR, customer_id VARCHAR, "
    "member_key VARCHAR, since DATE, held_back VARCHAR",
    "core.crm_as_of": "business_id VARCHAR, as_of_date DATE",
}


def d(day: int) -> date:
    return date(2026, 11, day)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@cache
def _reference() -> dict:
    return load_all()


class World:
    def __init__(self) -> None:
        self.con = duckdb.connect()
        migrate(self.con)
        replace_reference_tables(self.con, _reference())
        for table, columns in INPUTS.items():
            self.con.execute(f"CREATE TABLE {table} ({columns})")

    def insert(self, table: str, rows: list[tuple]) -> None:
        marks = ", ".join("?" * len(rows[0]))
        _insert_many(self.con, f"INSERT INTO {table} VALUES ({marks})", rows)

    def extract(self, source, entity, partition, records, dead, at, run_id="r1") -> None:
        self.con.execute(
            "INSERT INTO ops.extract_log (source, entity, business_id, partition_key, records, "
            'dead_letters, requests, retries, run_id, "at", status) '
            "VALUES (?, ?, ?, ?, ?, ?, 1, 0, ?, ?, 'ok')",
            [source, entity, CAFE, partition, records, dead, run_id, at],
        )

    def dead_letter(self, n, stage, source, entity, partition, at) -> None:
        self.con.execute(
            "INSERT INTO ops.dead_letter (dead_letter_id, stage, business_id, source, entity, "
            'record_id, reason, partition_key, "at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [f"dl{n}", stage, CAFE, source, entity, f"rec{n}", "bad amount", partition, at],
        )

    def sync(self, target, key, status, at) -> None:
        self.con.execute(
            'INSERT INTO ops.sync_log (target, idempotency_key, status, "at") VALUES (?, ?, ?, ?)',
            [target, key, status, at],
        )

    def entry(self, entry_id, location, day, posted_at, lines, business=CAFE) -> None:
        """lines: (account, debit, credit) as text amounts."""
        from decimal import Decimal

        total = sum(Decimal(debit) for _, debit, _ in lines)
        self.con.execute(
            "INSERT INTO marts.journal_entries (entry_id, business_id, location_id, "
            "business_date, kind, memo, total, activity_date, posted_at) "
            "VALUES (?, ?, ?, ?, 'SALES', 'test', ?, ?, ?)",
            [entry_id, business, location, day, total, day, posted_at],
        )
        for n, (account, debit, credit) in enumerate(lines, 1):
            self.con.execute(
                "INSERT INTO marts.journal_lines (entry_id, line_no, account_code, debit, "
                "credit, business_date, location_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [entry_id, n, account, Decimal(debit), Decimal(credit), day, location],
            )

    def build(self, *tables: str) -> None:
        for table in tables:
            build(self.con, MODELS[table], at=NOW)

    def values(self, model: str, metric: str, grain: str = "day", business: str = CAFE) -> dict:
        """{(period_start, location_id): value} of one business's metric at one grain."""
        rows = self.con.execute(
            f"SELECT period_start, location_id, value FROM {model} "
            "WHERE metric = ? AND grain = ? AND business_id = ? ORDER BY ALL",
            [metric, grain, business],
        ).fetchall()
        return {(start, location): value for start, location, value in rows}
