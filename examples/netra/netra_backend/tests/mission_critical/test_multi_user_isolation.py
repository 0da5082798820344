"""Mission critical: two users running agents at the same moment see only their own events.

This FAILS while the Golden Path callers (netra_backend/app/agents/execution_core.py) build
their manager with the deprecated ``create_websocket_manager``: it hands both users one shared
manager, so alice's socket receives bob's events. It PASSES once phase p0 has rewritten those
callers to ``WebSocketManager(user_context=..., authorization_token=...)``.
"""

from __future__ import annotations

import asyncio

from netra_backend.app.agents.execution_core import AgentExecutionCore
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection


def test_concurrent_users_never_see_each_others_events() -> None:
    alice = UserExecutionContext("alice", "thread-a", "run-a")
    bob = UserExecutionContext("bob", "thread-b", "run-b")
    sockets = {"alice": InMemoryConnection("alice"), "bob": InMemoryConnection("bob")}

    async def scenario() -> None:
        await asyncio.gather(
            AgentExecutionCore(alice, steps=4).execute("summarise alice's invoices", sockets["alice"]),
            AgentExecutionCore(bob, steps=4).execute("translate bob's notes", sockets["bob"]),
        )

    asyncio.run(scenario())
    for user, socket in sockets.items():
        assert socket.users_seen() == {user}, (
            f"{user}'s socket received events of {sorted(socket.users_seen() - {user})}"
        )
        assert [e["type"] for e in socket.received].count("agent_completed") == 1
