"""Dagster resources: vendor HTTP connectors and the DuckDB warehouse."""
