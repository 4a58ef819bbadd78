"""The seam to the outside world: Backbone reaches the simulator only through its entry point."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
import pytest

from pipeline.app.cli import main
from resources import world


def test_sandbox_mode_gets_the_simulators_transport_and_clock(monkeypatch):
    monkeypatch.delenv("BACKBONE_SOURCE", raising=False)
    monkeypatch.setenv("BACKBONE_SANDBOX_NOW", "2026-11-20T15:30:00Z")
    assert world.pipeline_now() == datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
    with httpx.Client(
        transport=world.in_process_transport(),
        base_url="http://sandbox.invalid",
        headers={"Authorization": "Bearer any"},
    ) as client:
        answer = client.get("/cafe/square/v2/locations")
    assert answer.status_code == 200
    assert [loc["id"] for loc in answer.json()["locations"]] == ["LCAFE01"]


def test_live_mode_runs_on_the_wall_clock(monkeypatch):
    monkeypatch.setenv("BACKBONE_SOURCE", "live")
    monkeypatch.setenv("BACKBONE_SANDBOX_NOW", "2020-01-01T00:00:00Z")
    before = datetime.now(UTC)
    assert before <= world.pipeline_now() <= datetime.now(UTC)


def test_a_deployment_without_the_simulator_says_so(monkeypatch):
    monkeypatch.setattr(world, "entry_points", lambda **_: ())
    world.simulator.cache_clear()
    try:
        with pytest.raises(world.WorldNotInstalledError, match="BACKBONE_SOURCE=live"):
            world.simulator()
    finally:
        world.simulator.cache_clear()


def test_backbone_sandbox_is_the_simulators_own_command(capsys):
    with pytest.raises(SystemExit) as done:
        main(["sandbox", "serve", "--help"])
    assert done.value.code == 0
    usage = capsys.readouterr().out
    assert "--port" in usage and "--faults" in usage


def test_backbone_sandbox_serve_answers_over_real_http():
    """The console script, as a person runs it, on a free loopback port."""
    backbone = [sys.executable, "-c", "from pipeline.app.cli import main; main()"]
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [*backbone, "sandbox", "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/studio/square/v2/locations",
                    headers={"Authorization": "Bearer any"},
                    timeout=2,
                )
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert answer.status_code == 200
        assert answer.json()["locations"][0]["id"].startswith("L")
    finally:
        server.terminate()
        server.wait(timeout=10)


def free_port() -> int:
    """A loopback port nobody holds now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
