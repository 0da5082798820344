"""Thread fixtures for end-to-end tests: a user, a socket, a manager and a conversation.

Golden Path seed file: the first file migrated off the deprecated factory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import create_websocket_manager
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.ws_types import EventType, make_event


@dataclass
class ThreadHarness:
    user_context: UserExecutionContext
    connection: InMemoryConnection
    manager: Any

    async def post(self, text: str) -> bool:
        event = make_event(self.user_context, EventType.MESSAGE, text=text)
        return bool(await self.manager.send(event))

    async def reconnect(self) -> None:
        """Drop the socket and attach a fresh one, as a browser does after a network blip."""
        self.manager.disconnect(self.connection)
        self.connection = InMemoryConnection(self.user_context.user_id)
        self.manager = create_websocket_manager()
        self.manager.connect(self.connection)

    async def close(self) -> None:
        await self.manager.close()

    def texts(self) -> list[str]:
        return [e["data"]["text"] for e in self.connection.events_of(EventType.MESSAGE.value)]


async def open_thread(user_context: UserExecutionContext) -> ThreadHarness:
    """A thread with its socket connected and a thread_started event already sent."""
    connection = InMemoryConnection(user_context.user_id)
    manager = await create_websocket_manager(user_context=user_context)
    manager.connect(connection)
    await manager.send(make_event(user_context, EventType.THREAD_STARTED))
    return ThreadHarness(user_context, connection, manager)


def manager_for(context: UserExecutionContext) -> Any:
    """A manager for ``context`` (found by its annotation, whatever the parameter is called)."""
    return create_websocket_manager()


def make_context(user_id: str, thread: str = "thread-1") -> UserExecutionContext:
    return UserExecutionContext(user_id, f"{thread}-{user_id}")
