"""Integration: a user's live session and the chat WebSocket route (multi-user paths)."""

from __future__ import annotations

import asyncio

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.routes.websocket_route import websocket_endpoint
from netra_backend.app.services.user_session_service import UserSessionService
from netra_backend.app.websocket_core.connection import InMemoryConnection


def test_session_join_say_leave(user_context: UserExecutionContext,
                                connection: InMemoryConnection) -> None:
    service = UserSessionService()

    async def scenario() -> None:
        session = await service.join(user_context, connection)
        assert await session.say("hello")
        await service.leave(user_context.user_id)
        await service.leave(user_context.user_id)  # leaving twice is harmless

    asyncio.run(scenario())
    assert [e["type"] for e in connection.received] == ["thread_started", "message"]
    assert connection.received[1]["data"] == {"text": "hello"}
    assert connection.closed and service.sessions == {}


def test_session_refuses_to_speak_before_open(user_context: UserExecutionContext,
                                              connection: InMemoryConnection) -> None:
    from netra_backend.app.services.user_session_service import UserSession

    session = UserSession(user_context, connection)
    try:
        asyncio.run(session.say("too early"))
    except RuntimeError as exc:
        assert "not open" in str(exc)
    else:
        raise AssertionError("say() before open() must fail")


def test_route_echoes_then_closes(user_context: UserExecutionContext,
                                  connection: InMemoryConnection) -> None:
    handled = asyncio.run(websocket_endpoint(connection, user_context, ["a", "b", "c"]))
    assert handled == 3
    assert [e["data"]["text"] for e in connection.received] == ["a", "b", "c"]
    assert all(e["data"]["echo"] for e in connection.received)
    assert connection.closed


def test_route_with_no_messages_just_closes(other_context: UserExecutionContext) -> None:
    socket = InMemoryConnection(other_context.user_id)
    assert asyncio.run(websocket_endpoint(socket, other_context, [])) == 0
    assert socket.received == [] and socket.closed
