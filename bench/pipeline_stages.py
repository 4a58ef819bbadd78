"""One SQL-stage measurement, in its own process: a copy of a real run's warehouse with the raw
Square records multiplied, every stage rebuilt by the pipeline's own code and timed beside its
floor (bench/pipeline_floors.py).

Multiplying: copy k of every raw Square record (orders, payments, refunds, payouts, payout
entries, disputes, customers) is the same vendor record at a new location `<id>_c<k>`, with every
Square id in it (orders, payments, refunds, customers, payouts, payout entries, tax uids)
suffixed `_c<k>`, in one INSERT ... SELECT per table. The records are the simulator's, landed by
the real extract; only their count grows, so every size has the same mix (returns, offline
payments, gift cards, bundles, tips) and the same links between tables.
"""

from __future__ import annotations

import graphlib
import re
import shutil
import time
from datetime import datetime
from pathlib import Path

import duckdb

from bench.pipeline_floors import FLOORS, fingerprint

SQUARE_TABLES = (
    "square_orders",
    "square_payments",
    "square_refunds",
    "square_payouts",
    "square_payout_entries",
    "square_disputes",
    "square_customers",
)
# Square's opaque ids (orders, payments, refunds, customers, uids), payout and entry ids; never
# catalog ids (upper case with dashes), timestamps, names, e-mails or amounts.
_IDS = r"po_[0-9a-f-]{36}|poe_[A-Za-z0-9]+|[A-Za-z0-9]{20,}"
JOURNAL = ("journal_lines", "journal_entries", "posting_exceptions", "dispute_losses")


def multiply(con: duckdb.DuckDBPyConnection, copies: int) -> None:
    """Add copies 1..copies-1 of every raw Square record and of the locations they belong to."""
    if copies <= 1:
        return
    locations = [row[0] for row in con.execute("SELECT location_id FROM ref.locations").fetchall()]
    pattern = '"(' + "|".join([_IDS, *(re.escape(loc) for loc in locations)]) + ')"'
    for table in SQUARE_TABLES:
        con.execute(
            f"""INSERT INTO raw.{table}
                SELECT t.* REPLACE (
                    record_id || '_c' || k AS record_id,
                    location_id || '_c' || k AS location_id,
                    CAST(regexp_replace(CAST(payload AS VARCHAR), $pattern,
                                        '"\\1_c' || k || '"', 'g') AS JSON) AS payload)
                FROM raw.{table} AS t CROSS JOIN range(1, $copies) AS c(k)""",
            {"pattern": pattern, "copies": copies},
        ).fetchall()
    con.execute(
        """INSERT INTO ref.locations
           SELECT l.* REPLACE (location_id || '_c' || k AS location_id)
           FROM ref.locations AS l CROSS JOIN range(1, $copies) AS c(k)""",
        {"copies": copies},
    )


def _ordered(models):
    """Models of a layer in dependency order (the asset graph's order)."""
    by_table = {m.table: m for m in models}
    graph = {m.table: {f"{s}.{t}" for s, t in m.deps if f"{s}.{t}" in by_table} for m in models}
    return [by_table[t] for t in graphlib.TopologicalSorter(graph).static_order()]


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _floor(con, stage: str, times: dict[str, float], lines: int) -> dict:
    floor = FLOORS[stage]
    real_s = sum(times[table] for table in floor.path)
    floor_s = _timed(lambda: con.execute(floor.sql))
    real_fp = con.execute(fingerprint(floor.real)).fetchone()
    floor_fp = con.execute(fingerprint(floor.floor)).fetchone()
    return {
        "real_s": round(real_s, 3),
        "real_path": list(floor.path),
        "floor_s": round(floor_s, 3),
        "ratio": round(real_s / floor_s, 2) if floor_s else None,
        "rows_per_s": round(lines / real_s) if real_s else None,
        "compared": floor.model,
        "agree": real_fp == floor_fp,
        "real_rows": int(real_fp[0]),
        "floor_rows": int(floor_fp[0]),
    }


def measure(
    template: Path,
    workdir: Path,
    copies: int,
    business: str,
    now: datetime,
    posting: bool = True,
    memory_limit: str | None = None,
) -> dict:
    """Every stage at `copies` times the template's records; the real code, then the floor."""
    from pipeline.store.journal_posting import post_business_day
    from pipeline.store.schema import migrate
    from pipeline.store.sql_models import LAYERS, build, discover

    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "warehouse.duckdb"
    shutil.copyfile(template, path)
    con = duckdb.connect(str(path))
    migrate(con)  # a template written by an older version lacks the newer macros and tables
    if memory_limit:  # a shared machine; the pipeline itself leaves DuckDB's default (80 %)
        con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("CREATE SCHEMA IF NOT EXISTS bench")
    land_s = _timed(lambda: multiply(con, copies))
    for table in JOURNAL:  # posting starts from an empty ledger, as on a first run
        con.execute(f"DELETE FROM marts.{table}")
    models = discover()
    result: dict = {"copies": copies, "land_s": round(land_s, 2), "stages": {}, "models": {}}

    times: dict[str, float] = {}

    def build_layer(layer: str) -> float:
        total = 0.0
        for model in _ordered([m for m in models if m.layer == layer]):
            seconds = _timed(lambda m=model: build(con, m, run_id="bench", at=now))
            times[model.table] = seconds
            result["models"][model.table] = round(seconds, 3)
            total += seconds
        return total

    stage_s = {"staging": build_layer("staging")}
    lines = con.execute("SELECT count(*) FROM staging.stg_square__order_lines").fetchone()[0]
    result["order_lines"] = int(lines)
    result["stages"]["staging"] = _floor(con, "staging", times, lines)
    stage_s["core"] = build_layer("core")
    result["stages"]["core"] = _floor(con, "core", times, lines)
    # Every business date the records cover (a warm-up's too): the floors cover them all.
    dates = [
        d
        for (d,) in con.execute(
            "SELECT DISTINCT business_date FROM staging.stg_square__orders ORDER BY 1"
        ).fetchall()
    ]
    if posting:
        stage_s["posting"] = times["posting"] = sum(
            _timed(lambda d=day: post_business_day(con, d, [business], now, "bench"))
            for day in dates
        )
        result["stages"]["posting"] = _floor(con, "posting", times, lines)
    else:
        result["stages"]["posting"] = {"skipped": "over the posting budget (see --posting-budget)"}
    stage_s["marts"] = build_layer("marts")
    result["stages"]["marts"] = _floor(con, "marts", times, lines)
    assert set(LAYERS) == {"staging", "core", "marts"}, "a new layer needs its stage here"
    # Each stage's whole time (every model of the layer) beside the one model its floor matches.
    for stage, seconds in stage_s.items():
        result["stages"][stage]["stage_s"] = round(seconds, 3)
    con.close()
    return result
