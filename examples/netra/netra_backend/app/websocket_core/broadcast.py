"""Fan one user's event out to every tab that user has open (a multi-user isolation path)."""

from __future__ import annotations

from collections.abc import Sequence

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event

from . import websocket_manager_factory


async def broadcast_to_user(ctx: UserExecutionContext, tabs: Sequence[InMemoryConnection],
                            text: str) -> int:
    """Send ``text`` to each of the user's tabs; returns how many tabs were attached."""
    manager = websocket_manager_factory.create_websocket_manager(ctx)
    for tab in tabs:
        manager.connect(tab)
    try:
        await manager.send(make_event(ctx, EventType.MESSAGE, text=text))
    finally:
        for tab in tabs:
            manager.disconnect(tab)
    return len(tabs)
