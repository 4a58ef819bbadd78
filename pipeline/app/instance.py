"""The local Dagster instance under $BACKBONE_HOME/dagster (SQLite, or Postgres on request)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeline.settings import REPO_ROOT, backbone_home


def instance_config_file() -> Path:
    storage = os.environ.get("BACKBONE_DAGSTER_STORAGE", "sqlite").strip().lower()
    if storage not in {"sqlite", "postgres"}:
        raise ValueError(f"BACKBONE_DAGSTER_STORAGE must be sqlite or postgres, not {storage!r}")
    return REPO_ROOT / ("dagster-postgres.yaml" if storage == "postgres" else "dagster.yaml")


def prepare_dagster_home(home: Path | None = None) -> Path:
    """Create DAGSTER_HOME with the chosen instance config, export it, and return it."""
    dagster_home = (home or backbone_home()) / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(instance_config_file(), dagster_home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    return dagster_home
