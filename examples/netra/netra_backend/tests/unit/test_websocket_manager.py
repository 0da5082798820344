"""Unit: the canonical WebSocketManager delivers to the user's own tabs only."""

from __future__ import annotations

import asyncio

from netra_backend.app.auth.tokens import issue_authorization_token
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def make(ctx: UserExecutionContext) -> WebSocketManager:
    return WebSocketManager(user_context=ctx, authorization_token=issue_authorization_token(ctx))


def test_every_tab_of_the_user_receives_the_event(user_context: UserExecutionContext) -> None:
    manager = make(user_context)
    tabs = [InMemoryConnection("alice") for _ in range(3)]
    for tab in tabs:
        manager.connect(tab)
    manager.connect(tabs[0])  # connecting twice is a no-op
    assert asyncio.run(manager.send(make_event(user_context, EventType.MESSAGE, text="x")))
    assert [len(t.received) for t in tabs] == [1, 1, 1]
    assert manager.sent == 1 and len(manager.connections) == 3


def test_disconnected_tab_stops_receiving(user_context: UserExecutionContext) -> None:
    manager = make(user_context)
    kept, gone = InMemoryConnection("alice"), InMemoryConnection("alice")
    manager.connect(kept)
    manager.connect(gone)
    manager.disconnect(gone)
    manager.disconnect(gone)  # twice is harmless
    asyncio.run(manager.send(make_event(user_context, EventType.MESSAGE)))
    assert (len(kept.received), len(gone.received)) == (1, 0)


def test_anonymous_socket_may_join(user_context: UserExecutionContext) -> None:
    manager = make(user_context)
    manager.connect(InMemoryConnection(None))
    assert "alice" in repr(manager) and "1 connection" in repr(manager)


def test_close_closes_the_tabs_with_the_code(user_context: UserExecutionContext) -> None:
    manager = make(user_context)
    tab = InMemoryConnection("alice")
    manager.connect(tab)
    asyncio.run(manager.close(code=4001))
    assert tab.closed and tab.close_code == 4001 and manager.connections == ()
    assert "closed" in repr(manager)
