"""Shared fixtures, and the tier markers given by directory (unit, integration, mission_critical)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import websocket_manager_factory
from netra_backend.app.websocket_core.connection import InMemoryConnection

TIERS = {
    "unit": "unit",
    "integration": "integration",
    "e2e": "integration",
    "mission_critical": "mission_critical",
    "websocket_core": "mission_critical",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        try:
            tier_dir = Path(item.path).relative_to(here).parts[0]
        except ValueError:
            continue
        marker = TIERS.get(tier_dir)
        if marker:
            item.add_marker(getattr(pytest.mark, marker))


@pytest.fixture(autouse=True)
def _forget_shared_connections() -> Iterator[None]:
    """Each test starts with the legacy shared manager empty (it is process-wide)."""
    websocket_manager_factory.shared_manager().reset()
    yield
    websocket_manager_factory.shared_manager().reset()


@pytest.fixture
def user_context() -> UserExecutionContext:
    return UserExecutionContext("alice", "thread-alice", "run-alice")


@pytest.fixture
def other_context() -> UserExecutionContext:
    return UserExecutionContext("bob", "thread-bob", "run-bob")


@pytest.fixture
def connection(user_context: UserExecutionContext) -> InMemoryConnection:
    return InMemoryConnection(user_context.user_id)
