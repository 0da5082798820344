"""Messages inside a thread, and the system-wide announcements."""

from __future__ import annotations

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import create_websocket_manager as get_ws
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event, system_event


async def post_message(user_context: UserExecutionContext, connection: InMemoryConnection,
                       text: str) -> dict[str, str]:
    """Store a message and echo it to the author's socket."""
    message = {"thread_id": user_context.thread_id, "author": user_context.user_id, "text": text}
    manager = get_ws(user_context)
    manager.connect(connection)
    try:
        await manager.send(make_event(user_context, EventType.MESSAGE, **message))
    finally:
        manager.disconnect(connection)
    return message


async def announce(text: str) -> int:
    """Tell every connected socket about maintenance. There is no user here: this relied on
    the shared manager reaching everyone, so it needs a real fan-out design, not a rewrite."""
    manager = get_ws()
    await manager.send(system_event(EventType.NOTIFICATION, text=text))
    return len(manager.connections)
