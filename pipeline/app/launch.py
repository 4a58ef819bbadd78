"""Runs of `backbone run` and `backbone demo`, launched against the code location workspace.yaml
names, so the Dagster UI files them under their jobs as it files the runs it launches itself.

`execute_in_process` records a run without a code-location origin: the UI's job pages, Jobs list
and Overview timeline select runs by that origin (the hidden `.dagster/repository` tag) and so
showed "No runs found". Here a run is created with the origin of the job in the workspace's code
location and executed in this process (the definitions use the in-process executor), so the
speed and the step output stay what they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from dagster import DagsterInstance, JobDefinition
from dagster._core.definitions.partitions.context import partition_loading_context
from dagster._core.definitions.reconstruct import ReconstructableJob, ReconstructableRepository
from dagster._core.execution.api import execute_run
from dagster._core.execution.job_execution_result import JobExecutionResult
from dagster._core.remote_origin import RemoteRepositoryOrigin
from dagster._core.workspace.load import location_origins_from_yaml_paths

from assets.partitions import RANGE_END_TAG, RANGE_START_TAG
from pipeline.settings import REPO_ROOT

WORKSPACE = REPO_ROOT / "workspace.yaml"
# A `Definitions` object is served as this one repository (dagster's SINGLETON_REPOSITORY_NAME).
REPOSITORY_NAME = "__repository__"


@cache
def code_location():
    """The one code location of workspace.yaml (module pipeline.definitions, attribute defs)."""
    (origin,) = location_origins_from_yaml_paths([str(WORKSPACE)])
    return origin


def repository_origin() -> RemoteRepositoryOrigin:
    return RemoteRepositoryOrigin(code_location(), REPOSITORY_NAME)


def reconstructable_job(name: str) -> ReconstructableJob:
    """The job as the code location loads it: by module and attribute, from the repository root."""
    target = code_location().loadable_target_origin
    repository = ReconstructableRepository.for_module(
        target.module_name, target.attribute, working_directory=str(REPO_ROOT)
    )
    return repository.get_reconstructable_job(name)


def window_tags(job_def: JobDefinition, first: str, last: str) -> dict[str, str]:
    """The tags of one run over the business dates first..last (inclusive): Dagster's own
    partition-range tags, as its single-run backfills set them, or its partition tag for one
    date, so the UI lists the run under each date it materialized."""
    if first == last:
        return dict(job_def.get_tags_for_partition_key(first, selected_asset_keys=None))
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}


def launch(
    job_def: JobDefinition,
    instance: DagsterInstance,
    *,
    window: tuple[str, str] | None,
    run_config: Mapping[str, object],
    tags: Mapping[str, str],
) -> JobExecutionResult:
    """Create the run with the code location's origin and run it here, to its end. `window`
    (first, last) makes it one run over those partitions (assets/partitions.py, SINGLE_RUN)."""
    recon = reconstructable_job(job_def.name)
    run_tags = dict(tags)
    if window is not None:
        with partition_loading_context(dynamic_partitions_store=instance) as context:
            for key in window:
                job_def.validate_partition_key(key, selected_asset_keys=None, context=context)
        run_tags.update(window_tags(job_def, *window))
    run = instance.create_run_for_job(
        job_def=job_def,
        run_config=run_config,
        tags=run_tags,
        remote_job_origin=repository_origin().get_job_origin(job_def.name),
        job_code_origin=recon.get_python_origin(),
    )
    return execute_run(recon, run, instance, raise_on_error=False)
