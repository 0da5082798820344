"""Runs one agent task for one user and streams its progress events (the Golden Path).

Every run opens a manager for its own user context, so two users running agents at the same
moment must each see only their own events; the mission-critical isolation test holds this.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event

from ..websocket_core import create_websocket_manager


@dataclass
class AgentResult:
    run_id: str
    task: str
    steps: list[str] = field(default_factory=list)

    @property
    def answer(self) -> str:
        return f"{self.task}: " + " -> ".join(self.steps)


class AgentExecutionCore:
    """Plans a task in a few steps, reporting each step over the user's WebSocket."""

    def __init__(self, user_context: UserExecutionContext, *, steps: int = 3) -> None:
        self.user_context = user_context
        self.steps = steps

    def plan(self, task: str) -> list[str]:
        words = task.split() or ["nothing"]
        return [f"step {i + 1}: {words[i % len(words)]}" for i in range(self.steps)]

    async def execute(self, task: str, connection: InMemoryConnection) -> AgentResult:
        manager = create_websocket_manager()
        manager.connect(connection)
        result = AgentResult(self.user_context.run_id, task)
        try:
            await manager.send(make_event(self.user_context, EventType.AGENT_STARTED, task=task))
            for step in self.plan(task):
                result.steps.append(step)
                await manager.send(
                    make_event(self.user_context, EventType.AGENT_THINKING, step=step)
                )
            await manager.send(
                make_event(self.user_context, EventType.AGENT_COMPLETED, answer=result.answer)
            )
        finally:
            manager.disconnect(connection)
        return result
