"""Reports fractional progress of a long tool run to the user."""

from __future__ import annotations

import netra_backend.app.websocket_core.websocket_manager_factory as wmf
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event


async def report_progress(user_context: UserExecutionContext, connection: InMemoryConnection,
                          done: int, total: int) -> float:
    fraction = done / total if total else 1.0
    manager = wmf.create_websocket_manager(user_context)
    manager.connect(connection)
    try:
        await manager.send(make_event(user_context, EventType.TOOL_EXECUTING,
                                      progress=round(fraction, 3)))
    finally:
        manager.disconnect(connection)
    return fraction
