"""REST-ish thread routes that push a confirmation over the user's WebSocket."""

from __future__ import annotations

from netra_backend.app.auth.tokens import issue_authorization_token
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event
from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager


async def rename_thread(ctx: UserExecutionContext, connection: InMemoryConnection,
                        title: str) -> dict[str, str]:
    manager = UnifiedWebSocketManager(user_context=ctx,
                                      authorization_token=issue_authorization_token(ctx))
    manager.connect(connection)
    try:
        await manager.send(make_event(ctx, EventType.MESSAGE, renamed_to=title))
    finally:
        manager.disconnect(connection)
    return {"thread_id": ctx.thread_id, "title": title}


def manager_class() -> type[UnifiedWebSocketManager]:
    """The manager class routes construct (a reference, not a call)."""
    return UnifiedWebSocketManager
