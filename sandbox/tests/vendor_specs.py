"""The vendors' own OpenAPI schemas as pytest fixtures: `square_schema` and `xero_schema`
validate an instance against a named component schema and fail the test naming each violation.

Used by the simulator's tests (its responses) and by Backbone's (its outgoing payloads): the
specs, not either of our readings of them, are the judge. The folder is ../shared/vendor-specs
beside the repository, or $BACKBONE_VENDOR_SPECS.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

Validate = Callable[[str, Any], None]


def _specs_dir() -> Path:
    override = os.environ.get("BACKBONE_VENDOR_SPECS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared" / "vendor-specs"


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    folder = _specs_dir()
    needed = [folder / "square" / "api.json", folder / "xero" / "xero_accounting.yaml"]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        message = f"vendor specs not found: {missing} (set BACKBONE_VENDOR_SPECS to their folder)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


def _validator_factory(spec: dict, uri: str) -> Validate:
    registry = Registry().with_resource(
        uri, Resource.from_contents(spec, default_specification=DRAFT4)
    )
    cache: dict[str, Any] = {}

    def validate(schema_name: str, instance: Any) -> None:
        assert schema_name in spec["components"]["schemas"], schema_name
        validator = cache.get(schema_name)
        if validator is None:
            validator = cache[schema_name] = OAS30Validator(
                {"$ref": f"{uri}#/components/schemas/{schema_name}"},
                registry=registry,
                format_checker=oas30_format_checker,
            )
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            shown = "\n".join(
                f"- at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
                for e in errors[:8]
            )
            pytest.fail(f"{len(errors)} {schema_name} schema violation(s):\n{shown}")

    return validate


@pytest.fixture(scope="session")
def square_schema(specs_dir: Path) -> Validate:
    spec = json.loads((specs_dir / "square" / "api.json").read_text())
    return _validator_factory(spec, "urn:square-api")


@pytest.fixture(scope="session")
def xero_schema(specs_dir: Path) -> Validate:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster
    with (specs_dir / "xero" / "xero_accounting.yaml").open() as fh:
        spec = yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader either way
    return _validator_factory(spec, "urn:xero-accounting")
