"""Unit: health probe, background jobs, the legacy tool, routing."""

from __future__ import annotations

import asyncio

import pytest

from netra_backend.app.agents.triage_agent import route
from netra_backend.app.background import cleanup_job, scheduler
from netra_backend.app.routes.health_route import health
from netra_backend.app.tools.legacy_tool import is_shared
from netra_backend.app.websocket_core import websocket_manager_factory
from netra_backend.app.websocket_core.connection import InMemoryConnection


def test_health_reports_ok_and_a_count() -> None:
    report = health()
    assert report["status"] == "ok" and isinstance(report["websocket_connections"], int)


def test_cleanup_sweeps_only_closed_sockets() -> None:
    shared = websocket_manager_factory.shared_manager()
    live, dead = InMemoryConnection("a"), InMemoryConnection("b")
    asyncio.run(dead.close())
    shared.connect(live)
    shared.connect(dead)
    assert cleanup_job.sweep() == 1
    assert shared.connections == (live,)


def test_describe_uses_its_local_helper() -> None:
    assert cleanup_job.describe(["closed", "idle"]) == (
        "would sweep closed sockets; would sweep idle sockets"
    )


def test_scheduler_loads_jobs_by_name() -> None:
    assert scheduler.load_job("cleanup") is cleanup_job
    assert hasattr(scheduler.legacy_manager_module(), "create_websocket_manager")
    with pytest.raises(KeyError):
        scheduler.load_job("nope")


def test_legacy_tool_sees_the_shared_manager() -> None:
    with pytest.warns(DeprecationWarning):
        assert is_shared() is True


@pytest.mark.parametrize("request_text,agent", [
    ("query the sales table", "data"),
    ("find my last invoice", "search"),
    ("write a poem", "general"),
])
def test_triage_routes(request_text: str, agent: str) -> None:
    assert route(request_text) == agent
