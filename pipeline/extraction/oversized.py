"""Oversized fields: a fetched record whose text field is larger than we will land.

A text field above the limit is not data we model (a notes blob, a base64 image, a runaway
concatenation) and would bloat every table and log it passes through, so the record goes to
ops.dead_letter with a reason naming the field and its size, its payload trimmed.
"""

from __future__ import annotations

from typing import Any

# The default limit; BACKBONE_MAX_FIELD_BYTES (pipeline/settings.py) overrides it.
MAX_FIELD_BYTES = 64 * 1024


def _oversized(value: Any, limit: int, path: str = "") -> tuple[str, int] | None:
    """The first text field (dotted path) whose UTF-8 size exceeds `limit`, with that size."""
    if isinstance(value, str):
        # len() is a lower bound on the UTF-8 size and 4x an upper one: encode only when needed.
        if len(value) * 4 > limit and (size := len(value.encode())) > limit:
            return path, size
        return None
    if not isinstance(value, dict | list):
        return None
    children = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in children:
        found = _oversized(child, limit, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def _trimmed(value: Any, limit: int) -> Any:
    """The record with every oversized text replaced by a note of its size (dead-letter payload)."""
    if isinstance(value, str):
        size = len(value.encode()) if len(value) * 4 > limit else len(value)
        return f"<{size} bytes, over the {limit}-byte limit>" if size > limit else value
    if isinstance(value, dict):
        return {k: _trimmed(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_trimmed(v, limit) for v in value]
    return value


def oversized_problem(record: dict, limit: int) -> tuple[str, Any] | None:
    """Why a record with an id cannot land as it is (an oversized field), with the payload to
    dead-letter instead of the record."""
    found = _oversized(record, limit)
    if found is None:
        return None
    name, size = found
    reason = f"field {name!r} is {size} bytes, over the {limit}-byte limit"
    return reason, _trimmed(record, limit)
