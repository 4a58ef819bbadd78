"""Dagster assets: thin wiring around the pure rules in pipeline/ and the SQL models."""
