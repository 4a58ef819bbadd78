"""Backbone: POS, CRM and accounting kept in step (Dagster + DuckDB).

The package is layered (docs/architecture.md; `.importlinter` enforces it):
`app` (CLI, demo) > `definitions` (the Dagster code location) > `store` (DuckDB and files) >
`settings` > the pure domain (`accounting`, `identity`, `reference`, `extraction`) > `kernel`.
The asset modules (`assets/`) and the connectors (`resources/`) sit between definitions and
store. The vendor simulator (`sandbox/`) is outside: never imported, found by entry point.
"""
