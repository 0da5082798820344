"""Integration: the agent execution core streams a run's events over the user's socket.

Golden Path seed file: it still builds its observer manager with the deprecated factory.
"""

from __future__ import annotations

import asyncio

import pytest

import netra_backend.app.websocket_core as websocket_core
from netra_backend.app.agents.execution_core import AgentExecutionCore, AgentResult
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.types import EventType, make_event


def run_agent(ctx: UserExecutionContext, task: str, steps: int = 3) -> tuple[AgentResult, list]:
    connection = websocket_core.InMemoryConnection(ctx.user_id)
    result = asyncio.run(AgentExecutionCore(ctx, steps=steps).execute(task, connection))
    return result, connection.received


def test_run_streams_started_thinking_completed(user_context: UserExecutionContext) -> None:
    result, events = run_agent(user_context, "summarise the usage table")
    assert [e["type"] for e in events] == (
        ["agent_started"] + ["agent_thinking"] * 3 + ["agent_completed"]
    )
    assert result.steps == ["step 1: summarise", "step 2: the", "step 3: usage"]
    assert events[-1]["data"]["answer"] == result.answer


@pytest.mark.parametrize("steps", [0, 1, 5])
def test_every_event_carries_the_run(user_context: UserExecutionContext, steps: int) -> None:
    result, events = run_agent(user_context, "count rows", steps=steps)
    assert len(events) == steps + 2
    assert {(e["user_id"], e["thread_id"], e["run_id"]) for e in events} == {
        ("alice", "thread-alice", result.run_id)
    }


def test_socket_is_released_after_the_run(user_context: UserExecutionContext) -> None:
    connection = websocket_core.InMemoryConnection(user_context.user_id)
    asyncio.run(AgentExecutionCore(user_context).execute("x", connection))
    assert not connection.closed  # the route owns the socket; the core only detaches it

    async def later_event() -> None:
        ctx = user_context
        manager = websocket_core.create_websocket_manager(ctx)
        await manager.send(make_event(ctx, EventType.NOTIFICATION, text="late"))

    asyncio.run(later_event())
    assert connection.events_of("notification") == []


def test_observer_sees_a_run_started_event(user_context: UserExecutionContext) -> None:
    async def scenario(ctx: UserExecutionContext) -> list[dict]:
        observer = websocket_core.InMemoryConnection(ctx.user_id)
        manager = websocket_core.create_websocket_manager(ctx)
        manager.connect(observer)
        await manager.send(make_event(ctx, EventType.AGENT_STARTED, task="observe"))
        manager.disconnect(observer)
        return observer.received

    received = asyncio.run(scenario(user_context))
    assert [(e["type"], e["data"]) for e in received] == [("agent_started", {"task": "observe"})]
