"""Secrets never leak: a configured token a vendor echoes back in an error body is redacted in
everything Backbone writes (stdout, Dagster's event log and compute logs, warehouse, exports)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.accounting.xero_journal import mask_error
from pipeline.kernel.normalize import mask_text
from pipeline.kernel.secrets import install_log_redaction, redact_secrets, register_secrets
from pipeline.settings import secret_values
from tests.test_postgres_instance import PG, _admin
from tests.test_run_live import clean_env
from tests.text_search import home_hits

BACKBONE = str(Path(sys.executable).with_name("backbone"))
# Canaries: echoed bare (sandbox fault echo=/PATH), so only the list of configured secret values
# can catch them, not a "Bearer ..." or "token=..." pattern.
CANARY = "cnry-7f3a9c2e41d84b6b"
PG_CANARY = "pgcnry-0b9e5d7aa1c3"


def test_registered_values_are_cut_from_any_text_even_without_a_bearer_prefix():
    register_secrets(["zz-unit-secret-91ab"])
    assert redact_secrets("got header X-Key=zz-unit-secret-91ab!") == "got header X-Key=***!"
    assert "zz-unit" not in mask_text("echo: zz-unit-secret-91ab (ada@example.com)")
    assert "zz-unit" not in mask_error(RuntimeError("401: zz-unit-secret-91ab"))
    # Short values are not treated as secrets: they would cut ordinary words out of messages.
    register_secrets(["abc"])
    assert redact_secrets("abc def") == "abc def"


def test_secret_values_are_the_credential_variables_and_anything_named_like_one(monkeypatch):
    monkeypatch.setenv("XERO_ACCESS_TOKEN", "tok-xero-123456")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", "pw-pg-123456")
    monkeypatch.setenv("XERO_TENANT_ID", "tenant-not-secret")
    values = secret_values()
    assert {"tok-xero-123456", "pw-pg-123456"} <= set(values)
    assert "tenant-not-secret" not in values


def test_log_records_of_any_logger_are_redacted_as_they_are_made(caplog):
    register_secrets(["zz-log-secret-5521"])
    install_log_redaction()
    with caplog.at_level(logging.INFO):
        logging.getLogger("dagster.anything").info("vendor said %s", "zz-log-secret-5521")
        try:
            raise ValueError("body zz-log-secret-5521")
        except ValueError:
            logging.getLogger("backbone.x").exception("failed")
    text = caplog.text
    assert "vendor said ***" in text
    assert "zz-log-secret" not in text


def _run_with_echoing_vendor(home: Path, **extra: str) -> str:
    env = clean_env(
        BACKBONE_HOME=str(home),
        BACKBONE_SOURCE="sandbox",
        BACKBONE_NOW="2026-11-20T12:00:00Z",
        BACKBONE_SANDBOX_FAULTS="echo=/ManualJournals",
        XERO_ACCESS_TOKEN=CANARY,
        **extra,
    )
    done = subprocess.run(  # noqa: S603 - our own console script
        [BACKBONE, "run", "--from", "2026-11-19", "--to", "2026-11-19", "--business", "cafe"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = done.stdout + done.stderr
    # The fault did fire: Xero refused the journal write-back with our header echoed back.
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        errors = con.execute(
            "SELECT error FROM ops.sync_log WHERE target LIKE 'xero:ManualJournals:%' "
            "AND error IS NOT NULL"
        ).fetchall()
    assert errors, out
    assert any("rejected for credential ***" in e for (e,) in errors), errors
    return out


@pytest.mark.e2e
def test_a_token_echoed_by_the_vendor_appears_nowhere(tmp_path):
    out = _run_with_echoing_vendor(tmp_path)
    assert CANARY not in out
    # Warehouse, scorecard, exports, the SQLite event log and the compute logs under dagster/.
    assert (tmp_path / "dagster").is_dir()
    assert home_hits(tmp_path, [CANARY]) == []


@pytest.mark.e2e
@pytest.mark.postgres
def test_a_token_echoed_by_the_vendor_appears_nowhere_in_the_postgres_event_log(tmp_path):
    import psycopg2

    admin = _admin()
    name = f"backbone_canary_{os.getpid()}"
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        out = _run_with_echoing_vendor(
            tmp_path,
            DAGSTER_PG_HOST=PG["host"],
            DAGSTER_PG_PORT=str(PG["port"]),
            BACKBONE_DAGSTER_STORAGE="postgres",
            DAGSTER_PG_USER=PG["user"],
            DAGSTER_PG_PASSWORD="",
            DAGSTER_PG_DB=name,
            HUBSPOT_ACCESS_TOKEN=PG_CANARY,
        )
        assert CANARY not in out and PG_CANARY not in out
        with psycopg2.connect(dbname=name, **PG) as con, con.cursor() as cur:
            cur.execute("SELECT count(*) FROM event_logs")
            assert cur.fetchone()[0] > 0
            for needle in (CANARY, PG_CANARY):
                cur.execute("SELECT count(*) FROM event_logs WHERE event LIKE %s", [f"%{needle}%"])
                assert cur.fetchone()[0] == 0
                cur.execute("SELECT count(*) FROM runs WHERE run_body LIKE %s", [f"%{needle}%"])
                assert cur.fetchone()[0] == 0
        assert home_hits(tmp_path, [CANARY, PG_CANARY]) == []
    finally:
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def test_unregistered_credentials_are_cut_by_their_names_and_prose_is_left_alone():
    # Shapes vendors and HTTP libraries print: OAuth form fields, JSON bodies, headers.
    cases = {
        "grant_type=refresh_token&refresh_token=rt-9c1f0a77b2": "refresh_token=***",
        '{"client_secret": "cs_0f9e8d7c6b5a"}': '"client_secret": "***"',
        "x-api-key: k-77a1b2c3d4": "x-api-key: ***",
        "Authorization: Basic dXNlcjpwYXNzd29yZA==": "Basic ***",
        "Authorization: Bearer eyJhbGciOi.payload.sig": "Bearer ***",
        "password=hunter2hunter2": "password=***",
    }
    for text, expected in cases.items():
        redacted = redact_secrets(text)
        assert expected in redacted, (text, redacted)
    # No separator, no secret: words stay words.
    for prose in [
        "invalid token provided",
        "the secretary's tokens",
        "Basic auth failed",
        "token expired at 10:00",
    ]:
        assert redact_secrets(prose) == prose
