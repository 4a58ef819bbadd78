"""Which world a run talks to is never a silent guess."""

import pytest

from pipeline.settings import source_mode


def test_a_fresh_clone_runs_against_the_simulator(monkeypatch):
    for name in (
        "BACKBONE_SOURCE",
        "SQUARE_ACCESS_TOKEN",
        "HUBSPOT_ACCESS_TOKEN",
        "XERO_ACCESS_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    assert source_mode() == "sandbox"


def test_credentials_without_a_source_are_refused(monkeypatch):
    monkeypatch.delenv("BACKBONE_SOURCE", raising=False)
    monkeypatch.setenv("SQUARE_ACCESS_TOKEN", "sq-test-token")
    with pytest.raises(ValueError, match="SQUARE_ACCESS_TOKEN set but BACKBONE_SOURCE is not"):
        source_mode()
    monkeypatch.setenv("BACKBONE_SOURCE", "live")
    assert source_mode() == "live"
    monkeypatch.setenv("BACKBONE_SOURCE", "Sandbox ")
    assert source_mode() == "sandbox"


def test_an_unknown_source_is_refused(monkeypatch):
    monkeypatch.setenv("BACKBONE_SOURCE", "staging")
    with pytest.raises(ValueError, match="'sandbox' or 'live'"):
        source_mode()
