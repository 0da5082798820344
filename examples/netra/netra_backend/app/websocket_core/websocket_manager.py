"""The canonical WebSocket manager: one per user context, the single source of truth.

Every manager is bound to one :class:`UserExecutionContext` and proves it with an
authorization token, so events of one user can never reach another user's sockets. Sends and
close are serialised by a lock: a send that comes after (or races with) close is dropped and
counted, never written to a closed socket.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from netra_backend.app.auth.tokens import AuthorizationError, verify_authorization_token
from netra_backend.app.context import UserExecutionContext


class Connection(Protocol):
    user_id: str | None

    async def send_json(self, event: dict[str, Any]) -> None: ...

    async def close(self, code: int = 1000) -> None: ...


class WebSocketManager:
    """Delivers one user's events to that user's connections, and nobody else's."""

    def __init__(self, *, user_context: UserExecutionContext, authorization_token: str) -> None:
        if not isinstance(user_context, UserExecutionContext):
            raise TypeError("WebSocketManager needs a UserExecutionContext")
        if not verify_authorization_token(authorization_token, user_context):
            raise AuthorizationError(
                f"authorization token is not valid for user {user_context.user_id!r}"
            )
        self._user_context = user_context
        self._connections: list[Connection] = []
        self._lock = asyncio.Lock()
        self._closed = False
        self.sent = 0
        self.dropped = 0

    @property
    def user_context(self) -> UserExecutionContext:
        return self._user_context

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def connections(self) -> tuple[Connection, ...]:
        return tuple(self._connections)

    def connect(self, connection: Connection) -> None:
        owner = getattr(connection, "user_id", None)
        if owner is not None and owner != self._user_context.user_id:
            raise AuthorizationError(
                f"connection of user {owner!r} cannot join the manager of "
                f"{self._user_context.user_id!r}"
            )
        if self._closed:
            raise ConnectionError("manager is closed")
        if connection not in self._connections:
            self._connections.append(connection)

    def disconnect(self, connection: Connection) -> None:
        if connection in self._connections:
            self._connections.remove(connection)

    async def send(self, event: dict[str, Any]) -> bool:
        """Deliver ``event`` to this user's connections; False if it was dropped (closed)."""
        if event.get("user_id") not in (None, self._user_context.user_id):
            raise AuthorizationError(
                f"event of user {event.get('user_id')!r} sent through the manager of "
                f"{self._user_context.user_id!r}"
            )
        async with self._lock:  # close() waits for an in-flight send, so no send hits a closed socket
            if self._closed:
                self.dropped += 1
                return False
            for connection in list(self._connections):
                await connection.send_json(event)
            self.sent += 1
            return True

    async def close(self, code: int = 1000) -> None:
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            connections, self._connections = self._connections, []
        for connection in connections:
            await connection.close(code)

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self._connections)} connection(s)"
        return f"WebSocketManager(user={self._user_context.user_id!r}, {state})"
