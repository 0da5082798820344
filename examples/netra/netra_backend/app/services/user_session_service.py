"""A user's live session: one socket, many events, closed when the user leaves.

A multi-user isolation path: many sessions of different users are open at the same time.
"""

from __future__ import annotations

from typing import Any

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import create_websocket_manager
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.ws_types import EventType, make_event


class UserSession:
    def __init__(self, user_context: UserExecutionContext, connection: InMemoryConnection) -> None:
        self.user_context = user_context
        self.connection = connection
        self.manager: Any = None

    async def open(self) -> None:
        self.manager = create_websocket_manager(self.user_context)
        self.manager.connect(self.connection)
        await self.manager.send(make_event(self.user_context, EventType.THREAD_STARTED))

    async def say(self, text: str) -> bool:
        if self.manager is None:
            raise RuntimeError("session is not open")
        return bool(await self.manager.send(make_event(self.user_context, EventType.MESSAGE,
                                                       text=text)))

    async def leave(self) -> None:
        if self.manager is not None:
            await self.manager.close()


class UserSessionService:
    def __init__(self) -> None:
        self.sessions: dict[str, UserSession] = {}

    async def join(self, ctx: UserExecutionContext, connection: InMemoryConnection) -> UserSession:
        session = UserSession(ctx, connection)
        await session.open()
        self.sessions[ctx.user_id] = session
        return session

    async def leave(self, user_id: str) -> None:
        session = self.sessions.pop(user_id, None)
        if session is not None:
            await session.leave()
