"""Integration: agents, tools, routes and jobs, each for one user over that user's socket."""

from __future__ import annotations

import asyncio

import pytest

from netra_backend.app.agents.base_agent import BaseAgent
from netra_backend.app.agents.data_agent import summarise
from netra_backend.app.agents.supervisor import Supervisor
from netra_backend.app.agents.tool_dispatcher import ToolDispatcher
from netra_backend.app.agents.triage_agent import TriageAgent, triage
from netra_backend.app.background.report_job import deliver_report
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.routes.threads_route import manager_class, rename_thread
from netra_backend.app.tools.progress_tool import report_progress
from netra_backend.app.tools.search_tool import search
from netra_backend.app.websocket_core.broadcast import broadcast_to_user
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.heartbeat import ping
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def types_of(socket: InMemoryConnection) -> list[str]:
    return [e["type"] for e in socket.received]


def test_supervisor_runs_each_agent(user_context: UserExecutionContext,
                                    connection: InMemoryConnection) -> None:
    done = asyncio.run(Supervisor({"triage": "routing", "data": "numbers"})
                       .run(user_context, connection, "q"))
    assert done == ["triage: routing for 'q'", "data: numbers for 'q'"]
    assert types_of(connection) == ["agent_started", "agent_completed"] * 2


def test_tool_dispatcher_reports_and_returns(user_context: UserExecutionContext,
                                            connection: InMemoryConnection) -> None:
    dispatcher = ToolDispatcher()
    dispatcher.register("add", lambda a, b: a + b)
    assert asyncio.run(dispatcher.dispatch(user_context, connection, "add", a=2, b=3)) == 5
    assert types_of(connection) == ["tool_executing", "tool_completed"]
    assert connection.received[1]["data"]["result"] == 5
    with pytest.raises(KeyError, match="nope"):
        asyncio.run(dispatcher.dispatch(user_context, connection, "nope"))


def test_base_agent_run_emits_start_and_answer(user_context: UserExecutionContext,
                                               connection: InMemoryConnection) -> None:
    assert asyncio.run(BaseAgent(user_context, connection).run("echo me")) == "echo me"
    assert [e["data"].get("answer") for e in connection.events_of("agent_completed")] == ["echo me"]


def test_triage_function_and_agent(user_context: UserExecutionContext,
                                   connection: InMemoryConnection) -> None:
    assert asyncio.run(triage(user_context, connection, "query rows")) == "data"
    agent = TriageAgent(user_context, connection)
    assert asyncio.run(agent.explain("look for it")) == "search"
    assert [e["data"]["routed_to"] for e in connection.received] == ["data", "search"]


def test_data_agent_means_and_closes(user_context: UserExecutionContext,
                                     connection: InMemoryConnection) -> None:
    rows = [{"x": 1.0}, {"x": 3.0}, {"y": 9.0}]
    assert asyncio.run(summarise(user_context, connection, rows, "x")) == 2.0
    assert types_of(connection) == ["tool_executing", "tool_completed"] and connection.closed


def test_progress_and_search_tools(user_context: UserExecutionContext,
                                   connection: InMemoryConnection) -> None:
    assert asyncio.run(report_progress(user_context, connection, 1, 4)) == 0.25
    assert asyncio.run(search(user_context, connection, "CLOSE")) == ["send after close"]
    assert connection.received[0]["data"] == {"progress": 0.25}
    assert connection.received[1]["data"]["hits"] == ["send after close"]


def test_broadcast_reaches_every_tab_of_the_user(user_context: UserExecutionContext) -> None:
    tabs = [InMemoryConnection("alice") for _ in range(3)]
    assert asyncio.run(broadcast_to_user(user_context, tabs, "hi all")) == 3
    assert all(t.received[0]["data"] == {"text": "hi all"} for t in tabs)


def test_heartbeat_and_report_job(user_context: UserExecutionContext,
                                  connection: InMemoryConnection) -> None:
    assert asyncio.run(ping(user_context, connection, beats=2)) == 2
    report = asyncio.run(deliver_report("alice", connection, {"mon": 3, "tue": 4}))
    assert report == {"total": 7, "days": 2}
    assert types_of(connection) == ["heartbeat", "heartbeat", "report_ready"]
    assert connection.received[-1]["thread_id"] == "reports-alice"


def test_rename_thread_and_manager_class(user_context: UserExecutionContext,
                                         connection: InMemoryConnection) -> None:
    result = asyncio.run(rename_thread(user_context, connection, "Renamed"))
    assert result == {"thread_id": "thread-alice", "title": "Renamed"}
    assert connection.received[0]["data"] == {"renamed_to": "Renamed"}
    assert manager_class() is WebSocketManager
