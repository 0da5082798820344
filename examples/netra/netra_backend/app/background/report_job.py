"""Weekly usage report, pushed to the user who asked for it."""

from __future__ import annotations

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import create_websocket_manager
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.ws_types import EventType, make_event


async def deliver_report(user_id: str, connection: InMemoryConnection,
                         usage: dict[str, int]) -> dict[str, int]:
    ctx = UserExecutionContext(user_id, f"reports-{user_id}")
    manager = create_websocket_manager()
    manager.connect(connection)
    try:
        total = sum(usage.values())
        await manager.send(make_event(ctx, EventType.REPORT_READY, total=total, **usage))
    finally:
        manager.disconnect(connection)
    return {"total": total, "days": len(usage)}
