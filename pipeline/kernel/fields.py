"""Field allow-lists: extract only what the models need, drop everything else at the door."""

from __future__ import annotations

from typing import Any

Spec = dict[str, "Spec | bool"]


def parse_spec(paths: str) -> Spec:
    """'id total_money.amount line_items.uid' -> nested dict; lists are walked transparently."""
    spec: Spec = {}
    for path in paths.split():
        node = spec
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if child is True:
                break
            node = child  # type: ignore[assignment]
        else:
            node[parts[-1]] = True
    return spec


def project(value: Any, spec: Spec | bool) -> Any:
    if spec is True:
        return value
    if isinstance(value, list):
        return [project(item, spec) for item in value]
    if not isinstance(value, dict):
        return value
    return {key: project(value[key], sub) for key, sub in spec.items() if key in value}
