"""Backbone: POS, CRM and accounting kept in step (Dagster + DuckDB)."""
