"""The scorecard's metric catalog (reference/metrics.csv): one row per metric of
marts.scorecard_daily and marts.scorecard_weekly, with what a chart or a reader needs to show it.

Separate from schemas.py so the scorecard's catalog is found by name; schemas.py merges it into
SCHEMAS, so it is loaded, validated and becomes ref.metrics like every other reference file.
docs/metrics.md holds each metric's full definition; `definition` here is the one line."""

from __future__ import annotations

import pandera.pandas as pa

METRIC_SCHEMAS: dict[str, tuple[pa.DataFrameSchema, list[str]]] = {
    "metrics": (
        pa.DataFrameSchema(
            {
                "metric": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
                "label": pa.Column(str, pa.Check.str_length(min_value=1, max_value=40)),
                "unit": pa.Column(str, pa.Check.isin(["count", "money", "pct", "hours", "days"])),
                # Where the metric is computed: per location, or per business (location NULL).
                "grain": pa.Column(str, pa.Check.isin(["location", "business"])),
                # Which way is better, so a chart can colour a change.
                "direction": pa.Column(str, pa.Check.isin(["up", "down"])),
                "definition": pa.Column(str, pa.Check.str_length(min_value=1)),
            },
            strict=True,
        ),
        ["metric"],
    ),
}
