"""Decides which specialised agent handles a request."""

from __future__ import annotations

from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import create_websocket_manager
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.ws_types import EventType, make_event

ROUTES = {"data": ("table", "query", "sql", "rows"), "search": ("find", "search", "look")}


def route(request: str) -> str:
    words = request.lower().split()
    for agent, keywords in ROUTES.items():
        if any(word in keywords for word in words):
            return agent
    return "general"


class TriageAgent(BaseAgent):
    name = "triage"

    async def answer(self, request: str) -> str:
        return route(request)

    async def explain(self, request: str) -> str:
        # self.user_context is set by BaseAgent.__init__, not in this class: phasegate only
        # trusts attributes the class itself sets, so this site is left to a person.
        manager = create_websocket_manager()
        manager.connect(self.connection)
        try:
            choice = route(request)
            await manager.send(make_event(self.user_context, EventType.AGENT_THINKING,
                                          routed_to=choice))
            return choice
        finally:
            manager.disconnect(self.connection)


async def triage(ctx: UserExecutionContext, connection: InMemoryConnection, request: str) -> str:
    """Route ``request`` and tell the user where it went."""
    manager = create_websocket_manager(ctx)
    manager.connect(connection)
    try:
        choice = route(request)
        await manager.send(make_event(ctx, EventType.AGENT_THINKING, routed_to=choice))
        return choice
    finally:
        manager.disconnect(connection)
