"""CLI runs are created with the origin of workspace.yaml's code location, so the UI files them
under their jobs (the e2e proof over GraphQL and a browser is tests/test_ui_browser.py)."""

from __future__ import annotations

import yaml

from pipeline.app.launch import code_location, reconstructable_job, repository_origin
from pipeline.settings import REPO_ROOT


def test_the_origin_is_the_workspace_code_location():
    (entry,) = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())["load_from"]
    module = entry["python_module"]
    assert code_location().location_name == module["location_name"] == "backbone"
    assert code_location().loadable_target_origin.module_name == module["module_name"]
    # The label the UI's job pages filter runs by: repository@location.
    assert repository_origin().get_label() == "__repository__@backbone"
    assert reconstructable_job("journal_job").get_definition().name == "journal_job"
