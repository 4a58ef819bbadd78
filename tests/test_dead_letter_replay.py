"""`backbone deadletter list|replay` after a fix: records dead-lettered by a too-small field
limit (BACKBONE_MAX_FIELD_BYTES) land once the limit is raised and their business date is
replayed, and every extract still conserves its records (fetched = landed + dead-lettered +
other dates + duplicates)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.store.dead_letter_replay import plan
from tests.test_run_live import clean_env

BACKBONE = str(Path(sys.executable).with_name("backbone"))
DAY = "2026-11-19"
# Square refund ids are 42 characters, order and payment ids 27: only refunds are refused.
LIMIT = "40"


def test_extract_dead_letters_replay_their_dates_end_to_end_and_others_their_jobs():
    extract = [(None, "extract:square_refunds", "cafe", DAY, "square", "refunds", "r1", "x")]
    model = [(None, "staging:stg_square__orders", "cafe", None, "square", "orders", "o1", "x")]
    crm = [(None, "hubspot_contacts", "cafe", None, "hubspot", "contacts", "c1", "x")]
    assert plan(extract + model) == ([DAY], [])
    assert plan(model) == ([], ["models_job", "export_job"])
    assert plan(crm) == ([], ["crm_job", "export_job"])


def _backbone(home: Path, *args: str, **env: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own console script
        [BACKBONE, *args],
        env=clean_env(BACKBONE_HOME=str(home), BACKBONE_NOW="2026-11-20T12:00:00Z", **env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    return out


def _state(home: Path) -> tuple[int, int, list[tuple]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        dead = con.execute(
            "SELECT count(*) FROM ops.dead_letter WHERE stage = 'extract:square_refunds'"
        ).fetchone()[0]
        landed = con.execute(
            "SELECT count(*) FROM raw.square_refunds WHERE partition_key = ?", [DAY]
        ).fetchone()[0]
        # The latest extract of each entity and business must conserve its records.
        unconserved = con.execute(
            """
            SELECT source, entity, business_id, fetched, records, dead_letters
            FROM ops.extract_log
            QUALIFY row_number() OVER (
                PARTITION BY source, entity, business_id, partition_key ORDER BY "at" DESC) = 1
            AND fetched <> records + dead_letters + other_date + duplicates
            """
        ).fetchall()
    return dead, landed, unconserved


@pytest.mark.e2e
def test_a_fixed_limit_and_a_replay_land_the_dead_lettered_records(tmp_path):
    run = ["run", "--from", DAY, "--to", DAY, "--business", "cafe"]
    _backbone(tmp_path, *run, BACKBONE_MAX_FIELD_BYTES=LIMIT)
    dead, landed, unconserved = _state(tmp_path)
    assert dead > 0 and landed == 0 and unconserved == []

    listed = _backbone(tmp_path, "deadletter", "list", "--source", "square", "--entity", "refunds")
    assert f"{dead} row(s)" in listed and "square/refunds" in listed

    # The fix: the limit back to its default. The replay re-runs the date the letters came from.
    out = _backbone(tmp_path, "deadletter", "replay", "--source", "square", "--entity", "refunds")
    assert f"dates {DAY}" in out and f"{dead} before, 0 after" in out, out
    dead_after, landed_after, unconserved = _state(tmp_path)
    assert (dead_after, landed_after) == (0, dead)
    assert unconserved == []
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        refunds = con.execute(
            "SELECT count(*) FROM staging.stg_square__refunds WHERE refund_id IN "
            "(SELECT record_id FROM raw.square_refunds)"
        ).fetchone()[0]
    assert refunds == dead  # and the models picked them up
