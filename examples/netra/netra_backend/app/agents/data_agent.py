"""Answers questions about tabular data, streaming tool progress to the user."""

from __future__ import annotations

from collections.abc import Sequence

from netra_backend.app.auth.tokens import issue_authorization_token
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection

from ..websocket_core.unified_manager import UnifiedWebSocketManager
from ..websocket_core.ws_types import EventType, make_event


async def summarise(ctx: UserExecutionContext, connection: InMemoryConnection,
                    rows: Sequence[dict[str, float]], column: str) -> float:
    """The mean of ``column``, with a tool_executing / tool_completed pair of events."""
    manager = UnifiedWebSocketManager(user_context=ctx,
                                      authorization_token=issue_authorization_token(ctx))
    manager.connect(connection)
    try:
        await manager.send(make_event(ctx, EventType.TOOL_EXECUTING, tool="mean", column=column))
        values = [float(row[column]) for row in rows if column in row]
        mean = sum(values) / len(values) if values else 0.0
        await manager.send(make_event(ctx, EventType.TOOL_COMPLETED, tool="mean", result=mean))
        return mean
    finally:
        await manager.close()
