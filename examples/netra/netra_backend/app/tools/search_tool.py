"""Searches a small in-memory corpus and streams hits to the user."""

from __future__ import annotations

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import *  # noqa: F403 - legacy style, migrated by hand
from netra_backend.app.websocket_core.types import EventType, make_event

CORPUS = ("websocket isolation", "thread fixtures", "agent execution", "send after close")


async def search(ctx: UserExecutionContext, connection: InMemoryConnection,  # noqa: F405
                 query: str) -> list[str]:
    hits = [doc for doc in CORPUS if query.lower() in doc]
    manager = create_websocket_manager(ctx)  # noqa: F405
    manager.connect(connection)
    try:
        await manager.send(make_event(ctx, EventType.TOOL_COMPLETED, tool="search", hits=hits))
    finally:
        manager.disconnect(connection)
    return hits
