"""The documented Postgres switch: a run and its events land in PostgreSQL (dagster-postgres)."""

import os
import uuid

import pytest

# The machine's PostgreSQL: trust auth, database `test` (override for other setups).
ADMIN_DB = os.environ.get("BACKBONE_TEST_PG_DB", "test")
PG = {
    "host": "127.0.0.1",
    "port": 5432,
    "user": os.environ.get("BACKBONE_TEST_PG_USER", "postgres"),
}


def _admin():
    import psycopg2

    try:
        con = psycopg2.connect(dbname=ADMIN_DB, connect_timeout=3, **PG)
    except psycopg2.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL on 127.0.0.1:5432 (trust auth): {exc}")
        pytest.skip(f"no PostgreSQL reachable on 127.0.0.1:5432 ({exc}); CI runs this test")
    con.autocommit = True
    return con


@pytest.fixture
def pg_database():
    admin = _admin()
    name = f"backbone_test_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.mark.e2e
@pytest.mark.postgres
def test_run_and_events_are_stored_in_postgres(pg_database, tmp_path, monkeypatch):
    import psycopg2
    from dagster import AssetKey, DagsterInstance

    from assets.models import REFERENCE_TABLES
    from pipeline.app.instance import prepare_dagster_home

    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.setenv("BACKBONE_DAGSTER_STORAGE", "postgres")
    for key, value in {
        "HOST": PG["host"],
        "PORT": str(PG["port"]),
        "USER": PG["user"],
        "PASSWORD": "",
        "DB": pg_database,
    }.items():
        monkeypatch.setenv(f"DAGSTER_PG_{key}", value)
    prepare_dagster_home()

    from pipeline.definitions import defs

    with DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=instance,
            asset_selection=[AssetKey(["ref", name]) for name in REFERENCE_TABLES],
        )
        assert result.success
        run_id = result.run_id

    with psycopg2.connect(dbname=pg_database, **PG) as con, con.cursor() as cur:
        cur.execute("SELECT status FROM runs WHERE run_id = %s", [run_id])
        assert cur.fetchone() == ("SUCCESS",)
        cur.execute(
            "SELECT count(*) FROM event_logs WHERE run_id = %s AND dagster_event_type = %s",
            [run_id, "ASSET_MATERIALIZATION"],
        )
        assert cur.fetchone()[0] >= 1


@pytest.mark.postgres
def test_the_switch_creates_its_database_when_missing(tmp_path, monkeypatch):
    """The README's recipe names DAGSTER_PG_DB=dagster; a server without it gets it created."""
    import psycopg2

    from pipeline.app.instance import prepare_dagster_home, storage_description

    admin = _admin()
    name = f"backbone_missing_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.setenv("BACKBONE_DAGSTER_STORAGE", "postgres")
    settings = {"HOST": PG["host"], "PORT": str(PG["port"]), "USER": PG["user"], "DB": name}
    for key, value in {**settings, "PASSWORD": ""}.items():
        monkeypatch.setenv(f"DAGSTER_PG_{key}", value)
    try:
        prepare_dagster_home()
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            assert cur.fetchone() == (1,)
        prepare_dagster_home()  # found the second time, not created again
        assert storage_description() == (
            f"PostgreSQL {PG['user']}@{PG['host']}:{PG['port']}/{name} (BACKBONE_DAGSTER_STORAGE)"
        )
        with psycopg2.connect(dbname=name, connect_timeout=3, **PG):
            pass
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
