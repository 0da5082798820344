"""Summarises a thread for its user: progress while reading, the summary at the end."""

from __future__ import annotations

from collections.abc import Sequence

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import create_websocket_manager as ws_factory
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event


def summary_of(messages: Sequence[str], limit: int = 3) -> str:
    firsts = [m.split(".")[0].strip() for m in messages if m.strip()]
    return "; ".join(firsts[:limit]) or "(empty thread)"


async def summarise_thread(ctx: UserExecutionContext, connection: InMemoryConnection,
                           messages: Sequence[str]) -> str:
    manager = ws_factory(ctx)
    manager.connect(connection)
    try:
        for index, _ in enumerate(messages):
            await manager.send(make_event(ctx, EventType.AGENT_THINKING, read=index + 1))
        summary = summary_of(messages)
        await manager.send(make_event(ctx, EventType.AGENT_COMPLETED, summary=summary))
        return summary
    finally:
        manager.disconnect(connection)


async def stream_summary(user_context: UserExecutionContext, connection: InMemoryConnection,
                         messages: Sequence[str]) -> str:
    """Same, awaiting the factory the way the first async version of this agent did."""
    manager = await ws_factory(user_context=user_context)
    manager.connect(connection)
    try:
        summary = summary_of(messages, limit=1)
        await manager.send(make_event(user_context, EventType.AGENT_COMPLETED, summary=summary))
        return summary
    finally:
        manager.disconnect(connection)
