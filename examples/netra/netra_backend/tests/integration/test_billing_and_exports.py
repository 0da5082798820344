"""Integration: billing receipts, thread summaries and CSV exports for one user."""

from __future__ import annotations

import asyncio

import pytest

from netra_backend.app.agents.summary_agent import stream_summary, summarise_thread, summary_of
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.services.billing_service import charge, send_receipt, send_statement
from netra_backend.app.tools.export_tool import export_thread, to_csv
from netra_backend.app.websocket_core import create_websocket_manager
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event


@pytest.mark.parametrize("tokens,amount", [(0, 0.0), (1000, 2.0), (1234, 2.468)])
def test_charge(tokens: int, amount: float) -> None:
    assert charge(tokens) == amount


def test_negative_usage_is_refused() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        charge(-1)


def test_receipt_and_statement(user_context: UserExecutionContext,
                               connection: InMemoryConnection) -> None:
    assert asyncio.run(send_receipt(user_context, connection, 500)) == 1.0
    assert asyncio.run(send_statement(user_context, connection, [500, 1000])) == 3.0
    assert [e["type"] for e in connection.received] == ["notification", "report_ready"]
    assert connection.received[1]["data"] == {"total": 3.0, "lines": 2}


def test_summaries(user_context: UserExecutionContext, connection: InMemoryConnection) -> None:
    messages = ["Hello there. More text", "Second point. Detail", "Third", "Fourth"]
    assert summary_of([]) == "(empty thread)"
    assert asyncio.run(summarise_thread(user_context, connection, messages)) == (
        "Hello there; Second point; Third")
    assert asyncio.run(stream_summary(user_context, connection, messages)) == "Hello there"
    kinds = [e["type"] for e in connection.received]
    assert kinds == ["agent_thinking"] * 4 + ["agent_completed"] * 2


def test_export_sends_size_and_closes(user_context: UserExecutionContext,
                                      connection: InMemoryConnection) -> None:
    rows = [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    text = asyncio.run(export_thread(user_context, connection, rows))
    assert text == to_csv(rows) == "a,b\n1,x\n2,y\n"
    assert connection.received[0]["data"] == {"tool": "export", "bytes": len(text)}
    assert connection.closed


def test_a_test_helper_manager_delivers(user_context: UserExecutionContext) -> None:
    async def scenario(ctx: UserExecutionContext) -> InMemoryConnection:
        socket = InMemoryConnection(ctx.user_id)
        manager = create_websocket_manager(ctx)
        manager.connect(socket)
        await manager.send(make_event(ctx, EventType.MESSAGE, text="from a test helper"))
        manager.disconnect(socket)
        return socket

    assert asyncio.run(scenario(user_context)).received[0]["data"]["text"] == "from a test helper"
