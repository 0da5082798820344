"""The chat WebSocket endpoint: one user's socket for the life of the session.

A multi-user isolation path: every connected user runs this handler at the same time.
"""

from __future__ import annotations

from collections.abc import Iterable

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event
from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager


async def websocket_endpoint(connection: InMemoryConnection, ctx: UserExecutionContext,
                             incoming: Iterable[str]) -> int:
    """Echo each incoming message back as an event, then close; returns messages handled."""
    manager = await create_websocket_manager(ctx)
    manager.connect(connection)
    handled = 0
    for text in incoming:
        await manager.send(make_event(ctx, EventType.MESSAGE, text=text, echo=True))
        handled += 1
    await manager.close()
    return handled
