"""The base class of the specialised agents: it owns the user context and emits events."""

from __future__ import annotations

from typing import Any

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import websocket_manager_factory as factory_mod
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event


class BaseAgent:
    name = "base"

    def __init__(self, user_context: UserExecutionContext, connection: InMemoryConnection) -> None:
        self.user_context = user_context
        self.connection = connection

    async def emit(self, event_type: EventType, **data: Any) -> bool:
        manager = factory_mod.create_websocket_manager(user_context=self.user_context)
        manager.connect(self.connection)
        try:
            return bool(await manager.send(make_event(self.user_context, event_type,
                                                      agent=self.name, **data)))
        finally:
            manager.disconnect(self.connection)

    async def run(self, request: str) -> str:
        await self.emit(EventType.AGENT_STARTED, request=request)
        answer = await self.answer(request)
        await self.emit(EventType.AGENT_COMPLETED, answer=answer)
        return answer

    async def answer(self, request: str) -> str:
        return request
