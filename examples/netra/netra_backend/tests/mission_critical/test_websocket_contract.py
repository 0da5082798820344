"""Mission critical: the canonical manager's contract (tokens, ownership, lifecycle)."""

from __future__ import annotations

import asyncio

import pytest

from netra_backend.app.auth.tokens import AuthorizationError, issue_authorization_token
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import WebSocketManager
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event


def manager_of(ctx: UserExecutionContext) -> WebSocketManager:
    return WebSocketManager(user_context=ctx, authorization_token=issue_authorization_token(ctx))


def test_constructor_is_keyword_only(user_context: UserExecutionContext) -> None:
    token = issue_authorization_token(user_context)
    with pytest.raises(TypeError):
        WebSocketManager(user_context, token)  # type: ignore[misc]


@pytest.mark.parametrize(
    "token_for",
    [
        UserExecutionContext("bob", "thread-alice", "run-alice"),  # another user
        UserExecutionContext("alice", "thread-other", "run-alice"),  # another thread
        UserExecutionContext("alice", "thread-alice", "run-other"),  # another run
    ],
)
def test_token_of_another_context_is_refused(user_context: UserExecutionContext,
                                             token_for: UserExecutionContext) -> None:
    with pytest.raises(AuthorizationError):
        WebSocketManager(user_context=user_context,
                         authorization_token=issue_authorization_token(token_for))


@pytest.mark.parametrize("token", ["", "alice", "alice.", "alice.deadbeef", None])
def test_malformed_tokens_are_refused(user_context: UserExecutionContext, token: object) -> None:
    with pytest.raises(AuthorizationError):
        WebSocketManager(user_context=user_context, authorization_token=token)  # type: ignore[arg-type]


def test_another_users_socket_cannot_join(user_context: UserExecutionContext) -> None:
    with pytest.raises(AuthorizationError, match="bob"):
        manager_of(user_context).connect(InMemoryConnection("bob"))


def test_another_users_event_is_refused(user_context: UserExecutionContext,
                                        other_context: UserExecutionContext) -> None:
    manager = manager_of(user_context)
    with pytest.raises(AuthorizationError):
        asyncio.run(manager.send(make_event(other_context, EventType.MESSAGE)))


def test_two_managers_of_two_users_are_isolated(user_context: UserExecutionContext,
                                                other_context: UserExecutionContext) -> None:
    a, b = manager_of(user_context), manager_of(other_context)
    sa, sb = InMemoryConnection("alice"), InMemoryConnection("bob")
    a.connect(sa)
    b.connect(sb)

    async def scenario() -> None:
        await asyncio.gather(*(a.send(make_event(user_context, EventType.MESSAGE, n=i))
                               for i in range(3)),
                             *(b.send(make_event(other_context, EventType.MESSAGE, n=i))
                               for i in range(3)))

    asyncio.run(scenario())
    assert sa.users_seen() == {"alice"} and len(sa.received) == 3
    assert sb.users_seen() == {"bob"} and len(sb.received) == 3


def test_close_is_idempotent_and_final(user_context: UserExecutionContext) -> None:
    manager = manager_of(user_context)
    socket = InMemoryConnection("alice")
    manager.connect(socket)

    async def scenario() -> bool:
        await manager.close()
        await manager.close()
        return await manager.send(make_event(user_context, EventType.MESSAGE))

    assert asyncio.run(scenario()) is False
    assert manager.closed and socket.closed and socket.close_code == 1000
    assert manager.dropped == 1
    with pytest.raises(ConnectionError):
        manager.connect(InMemoryConnection("alice"))
