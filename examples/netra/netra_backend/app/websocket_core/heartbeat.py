"""Keep-alive pings for one user's socket."""

from __future__ import annotations

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection

from .ws_types import EventType, make_event


async def ping(user_context: UserExecutionContext, connection: InMemoryConnection,
               beats: int = 1) -> int:
    """Send ``beats`` heartbeats through a manager of the user's own; returns beats sent."""
    from netra_backend.app.websocket_core import create_websocket_manager

    manager = create_websocket_manager(user_context)
    manager.connect(connection)
    sent = 0
    try:
        for beat in range(beats):
            if await manager.send(make_event(user_context, EventType.HEARTBEAT, beat=beat)):
                sent += 1
    finally:
        manager.disconnect(connection)
    return sent
