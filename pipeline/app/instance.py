"""The local Dagster instance under $BACKBONE_HOME/dagster (SQLite, or Postgres on request)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.settings import REPO_ROOT, backbone_home

STORAGE_VARIABLE = "BACKBONE_DAGSTER_STORAGE"
PG_VARIABLES = ("HOST", "PORT", "USER", "PASSWORD", "DB")


def storage_kind() -> str:
    storage = os.environ.get(STORAGE_VARIABLE, "sqlite").strip().lower() or "sqlite"
    if storage not in {"sqlite", "postgres"}:
        raise ValueError(
            f"{STORAGE_VARIABLE}={storage!r} is not a Dagster storage: set it to sqlite (the "
            "default) or postgres"
        )
    return storage


def instance_config_file() -> Path:
    name = "dagster-postgres.yaml" if storage_kind() == "postgres" else "dagster.yaml"
    return REPO_ROOT / name


def postgres_settings() -> dict[str, str]:
    """DAGSTER_PG_*, each required (the password may be empty, for trust auth)."""
    missing = [f"DAGSTER_PG_{key}" for key in PG_VARIABLES if f"DAGSTER_PG_{key}" not in os.environ]
    if missing:
        raise ValueError(
            f"{STORAGE_VARIABLE}=postgres but {', '.join(missing)} not set: set them (README, "
            "'Postgres-backed Dagster instance'; DAGSTER_PG_PASSWORD= for trust auth)"
        )
    return {key.lower(): os.environ[f"DAGSTER_PG_{key}"].strip() for key in PG_VARIABLES}


def ensure_postgres_database() -> None:
    """Create DAGSTER_PG_DB when it does not exist yet (Dagster creates its tables, not the
    database); a server that cannot be reached is one line naming where we looked."""
    import psycopg2
    from psycopg2 import sql

    pg = postgres_settings()
    where = " ".join(f"DAGSTER_PG_{key}={pg[key.lower()]}" for key in ("HOST", "PORT", "USER"))
    try:
        # The maintenance database every PostgreSQL has; CREATE DATABASE cannot run elsewhere.
        con = psycopg2.connect(
            dbname="postgres",
            host=pg["host"],
            port=pg["port"],
            user=pg["user"],
            password=pg["password"],
            connect_timeout=5,
        )
    except psycopg2.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(
            f"PostgreSQL not reachable at {where} ({reason}): start it or fix DAGSTER_PG_*, or "
            f"unset {STORAGE_VARIABLE} to use SQLite"
        ) from None
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [pg["db"]])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(pg["db"])))
    except psycopg2.Error as exc:
        raise ValueError(
            f"cannot create database DAGSTER_PG_DB={pg['db']} at {where} "
            f"({str(exc).strip().splitlines()[0]}): create it by hand (createdb) or grant "
            "CREATEDB to that user"
        ) from None
    finally:
        con.close()


def check_storage() -> None:
    """Refuse a bad storage choice before anything runs (ValueError, one line)."""
    if storage_kind() == "postgres":
        ensure_postgres_database()


def storage_description(home: Path | None = None) -> str:
    """Which Dagster storage a run uses, for the console: never the password."""
    if storage_kind() == "postgres":
        pg = postgres_settings()
        return f"PostgreSQL {pg['user']}@{pg['host']}:{pg['port']}/{pg['db']} ({STORAGE_VARIABLE})"
    return f"SQLite under {(home or backbone_home()) / 'dagster'} ({STORAGE_VARIABLE}=sqlite)"


# Dagster's SQLite event log with one SQLAlchemy engine kept per file rather than one built per
# event (pipeline/app/sqlite_event_log.py), in Dagster's own place for it. Written with the home's
# absolute path, so any process that reads this dagster.yaml (the CLI, `make ui`'s webserver and
# daemon) writes events where the run storage beside them expects them.
SQLITE_EVENT_LOG = """
event_log_storage:
  module: pipeline.app.sqlite_event_log
  class: EngineKeepingSqliteEventLogStorage
  config:
    base_dir: {base_dir}
"""


def prepare_dagster_home(home: Path | None = None) -> Path:
    """Create DAGSTER_HOME with the chosen instance config, export it, and return it."""
    check_storage()
    dagster_home = (home or backbone_home()) / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = instance_config_file().read_text()
    if storage_kind() == "sqlite":
        events = (dagster_home / "history" / "runs").resolve()
        config += SQLITE_EVENT_LOG.format(base_dir=json.dumps(str(events)))
    (dagster_home / "dagster.yaml").write_text(config)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    return dagster_home
