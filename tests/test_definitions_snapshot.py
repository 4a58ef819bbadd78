"""The code location's outline, pinned: assets, checks, jobs and schedules as one JSON snapshot.

A change here is a change an operator sees in the UI. When it is meant, regenerate:

    BACKBONE_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_definitions_snapshot.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"
REGENERATE = "BACKBONE_UPDATE_SNAPSHOTS=1 pytest tests/test_definitions_snapshot.py"


def outline() -> dict:
    from pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    repository = defs.get_repository_def()
    checks = []
    for key in sorted(graph.asset_check_keys):
        spec = graph.get_check_spec(key)
        checks.append(
            {"asset": key.asset_key.to_user_string(), "name": key.name, "blocking": spec.blocking}
        )
    jobs = [
        {
            "name": job.name,
            "assets": sorted(k.to_user_string() for k in job.asset_layer.selected_asset_keys),
        }
        for job in sorted(repository.get_all_jobs(), key=lambda j: j.name)
        if not job.name.startswith("__")  # Dagster's implicit asset jobs
    ]
    schedules = [
        {
            "name": s.name,
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "job": s.job_name,
        }
        for s in sorted(repository.schedule_defs, key=lambda s: s.name)
    ]
    return {
        "assets": sorted(k.to_user_string() for k in graph.get_all_asset_keys()),
        "asset_checks": checks,
        "jobs": jobs,
        "schedules": schedules,
    }


def test_definitions_match_the_snapshot():
    current = json.dumps(outline(), indent=2) + "\n"
    if os.environ.get("BACKBONE_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(current)
    expected = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            current.splitlines(keepends=True),
            fromfile=str(SNAPSHOT.relative_to(SNAPSHOT.parents[2])),
            tofile="pipeline.definitions.defs",
        )
    )
    assert not diff, f"the definitions changed; if meant, regenerate with\n  {REGENERATE}\n\n{diff}"
