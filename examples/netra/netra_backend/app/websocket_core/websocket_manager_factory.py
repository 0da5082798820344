"""Deprecated: ``create_websocket_manager`` hands every caller ONE shared manager.

The shared manager is created when this module is imported and knows nothing about users:
``send`` writes to every connection any user ever connected (user A's events reach user B),
and it takes no lock, so a send that is in flight while ``close`` runs writes to a socket that
has just been closed (the send-after-close race). The ``user_context`` argument is accepted and
ignored, which is why callers believed they were isolated.

Use ``netra_backend.app.websocket_core.websocket_manager.WebSocketManager(user_context=...,
authorization_token=issue_authorization_token(...))`` instead; phasegate's ``ws-factory``
rule rewrites the call sites.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator
from typing import Any

from netra_backend.app.context import UserExecutionContext

# Worded the way real deprecations are: the replacement call, with its arguments, in the text
# (`phasegate suggest` reads the ws-factory rule back from it).
DEPRECATION = (
    "create_websocket_manager() is deprecated: it returns one manager shared by every user; "
    "use WebSocketManager(user_context=user_context, "
    "authorization_token=issue_authorization_token(user_context)) instead"
)


class _SharedWebSocketManager:
    """The legacy manager: one instance for the whole process (do not copy this design)."""

    user_context: UserExecutionContext | None = None  # it never knew whose it was

    def __init__(self) -> None:
        self._connections: list[Any] = []
        self.sent = 0

    @property
    def closed(self) -> bool:
        return False  # it can be "closed" and keep sending: part of the bug

    @property
    def connections(self) -> tuple[Any, ...]:
        return tuple(self._connections)

    def connect(self, connection: Any) -> None:
        if connection not in self._connections:
            self._connections.append(connection)

    def disconnect(self, connection: Any) -> None:
        if connection in self._connections:
            self._connections.remove(connection)

    async def send(self, event: dict[str, Any]) -> bool:
        # Every connection of every user, from a snapshot taken before the awaits below:
        # close() may run in between, and the write then hits a closed socket.
        for connection in list(self._connections):
            await connection.send_json(event)
        self.sent += 1
        return True

    async def close(self, code: int = 1000) -> None:
        connections, self._connections = self._connections, []
        for connection in connections:
            await connection.close(code)

    def reset(self) -> None:
        """Forget every connection (tests use this between cases; production never did)."""
        self._connections.clear()
        self.sent = 0

    def __await__(self) -> Generator[Any, None, _SharedWebSocketManager]:
        # Legacy async callers wrote `manager = await create_websocket_manager(...)` (the
        # factory was a coroutine once). It is a plain function now, so the manager it returns
        # is itself awaitable and `await` yields the manager back. The canonical
        # WebSocketManager is a plain constructor, which is why the ws-factory rule says
        # `awaitable = false` and the migration drops those `await`s.
        return self
        yield  # unreachable: makes this method a generator, as __await__ must return one


_SHARED_MANAGER = _SharedWebSocketManager()  # created at import time, shared by everyone


def create_websocket_manager(user_context: UserExecutionContext | None = None) -> Any:
    """Deprecated. Returns the process-wide shared manager; ``user_context`` is ignored."""
    warnings.warn(DEPRECATION, DeprecationWarning, stacklevel=2)
    del user_context  # accepted for compatibility, never used: the root of the contamination
    return _SHARED_MANAGER


def shared_manager() -> _SharedWebSocketManager:
    """The shared instance itself, without the warning (for tests and the reset fixture)."""
    return _SHARED_MANAGER
