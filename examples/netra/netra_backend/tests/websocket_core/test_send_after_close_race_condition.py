"""Send-after-close: a send racing a close must be dropped, never written to a closed socket.

Golden Path seed file. The canonical manager serialises send and close; the legacy shared
manager does not, and the last test pins that bug down so nobody mistakes it for fixed.
"""

from __future__ import annotations

import asyncio
import importlib

import pytest

from netra_backend.app.auth.tokens import issue_authorization_token
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import create_websocket_manager as make_manager
from netra_backend.app.websocket_core.connection import CLOSED_MESSAGE, InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def canonical(ctx: UserExecutionContext) -> WebSocketManager:
    return WebSocketManager(user_context=ctx, authorization_token=issue_authorization_token(ctx))


def _messages(ctx: UserExecutionContext, n: int) -> list[dict]:
    return [make_event(ctx, EventType.MESSAGE, n=i) for i in range(n)]


def test_sends_racing_close_are_dropped_not_raised(user_context: UserExecutionContext) -> None:
    async def scenario() -> tuple[list, InMemoryConnection, WebSocketManager]:
        manager = canonical(user_context)
        connection = InMemoryConnection(user_context.user_id, latency=3)
        manager.connect(connection)
        sends = [asyncio.create_task(manager.send(e)) for e in _messages(user_context, 10)]
        await asyncio.sleep(0)
        closing = asyncio.create_task(manager.close())
        late = [asyncio.create_task(manager.send(e)) for e in _messages(user_context, 5)]
        results = await asyncio.gather(*sends, closing, *late, return_exceptions=True)
        return results, connection, manager

    results, connection, manager = asyncio.run(scenario())
    assert not [r for r in results if isinstance(r, BaseException)]
    delivered = [e["data"]["n"] for e in connection.received]
    assert delivered == list(range(len(delivered)))  # a clean prefix, in order
    assert manager.sent == len(delivered)
    assert manager.sent + manager.dropped == 15
    assert manager.dropped >= 5  # at least every send issued after close()
    assert connection.closed


def test_close_waits_for_the_send_in_flight(user_context: UserExecutionContext) -> None:
    async def scenario() -> InMemoryConnection:
        manager = canonical(user_context)
        connection = InMemoryConnection(user_context.user_id, latency=10)
        manager.connect(connection)
        sending = asyncio.create_task(manager.send(make_event(user_context, EventType.MESSAGE)))
        await asyncio.sleep(0)  # the send is now inside its socket write
        await manager.close()
        assert sending.done() and sending.result() is True
        return connection

    connection = asyncio.run(scenario())
    assert [e["type"] for e in connection.received] == ["message"] and connection.closed


def test_send_after_close_does_not_reach_the_socket(user_context: UserExecutionContext) -> None:
    async def scenario() -> InMemoryConnection:
        manager = await make_manager(user_context)
        connection = InMemoryConnection(user_context.user_id)
        manager.connect(connection)
        await manager.send(make_event(user_context, EventType.MESSAGE, n=1))
        await manager.close()
        await manager.send(make_event(user_context, EventType.MESSAGE, n=2))  # must not raise
        return connection

    connection = asyncio.run(scenario())
    assert [e["data"]["n"] for e in connection.received] == [1]
    assert connection.closed


def test_legacy_shared_manager_writes_to_a_closed_socket(user_context: UserExecutionContext) -> None:
    legacy = importlib.import_module("netra_backend.app.websocket_core.websocket_manager_factory")

    async def scenario() -> None:
        manager = legacy.shared_manager()
        connection = InMemoryConnection(user_context.user_id, latency=3)
        manager.connect(connection)
        sending = asyncio.create_task(manager.send(make_event(user_context, EventType.MESSAGE)))
        await asyncio.sleep(0)
        await manager.close()
        await sending

    with pytest.raises(RuntimeError, match="once a close message has been sent"):
        asyncio.run(scenario())
    assert CLOSED_MESSAGE.startswith("Cannot call")
