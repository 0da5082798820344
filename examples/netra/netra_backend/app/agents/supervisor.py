"""Runs several agents for one user in turn (a multi-user isolation path: one user per run)."""

from __future__ import annotations

import netra_backend.app.websocket_core.websocket_manager_factory
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event


class Supervisor:
    def __init__(self, agents: dict[str, str]) -> None:
        self.agents = agents  # agent name -> what it contributes

    async def run(self, ctx: UserExecutionContext, connection: InMemoryConnection,
                  request: str) -> list[str]:
        manager = netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager(
            user_context=ctx
        )
        manager.connect(connection)
        done = []
        try:
            for name, contribution in self.agents.items():
                await manager.send(make_event(ctx, EventType.AGENT_STARTED, agent=name))
                done.append(f"{name}: {contribution} for {request!r}")
                await manager.send(make_event(ctx, EventType.AGENT_COMPLETED, agent=name))
        finally:
            manager.disconnect(connection)
        return done
