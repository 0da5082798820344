"""Threads: a conversation of one user, with a started event when it opens."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event

try:
    from netra_backend.app.websocket_core import create_websocket_manager
except ImportError:  # deployments older than the websocket_core package
    from netra_backend.app.websocket_core.websocket_manager_factory import (
        create_websocket_manager,
    )

_ids = itertools.count(1)


@dataclass
class Thread:
    thread_id: str
    user_id: str
    title: str
    messages: list[str] = field(default_factory=list)


class ThreadService:
    def __init__(self) -> None:
        self.threads: dict[str, Thread] = {}

    async def start(self, user_id: str, title: str, connection: InMemoryConnection) -> Thread:
        thread = Thread(f"thread-{next(_ids)}", user_id, title)
        self.threads[thread.thread_id] = thread
        ctx = UserExecutionContext(user_id, thread.thread_id)
        manager = create_websocket_manager(ctx)
        manager.connect(connection)
        try:
            await manager.send(make_event(ctx, EventType.THREAD_STARTED, title=title))
        finally:
            manager.disconnect(connection)
        return thread

    def threads_of(self, user_id: str) -> list[Thread]:
        return [t for t in self.threads.values() if t.user_id == user_id]
