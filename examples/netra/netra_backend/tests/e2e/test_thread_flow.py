"""End-to-end: a user opens a thread, posts, reconnects, posts again, leaves."""

from __future__ import annotations

import asyncio

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event

from .thread_test_fixtures import make_context, manager_for, open_thread


def test_thread_opens_with_started_event(user_context: UserExecutionContext) -> None:
    async def scenario() -> list[str]:
        harness = await open_thread(user_context)
        return [e["type"] for e in harness.connection.received]

    assert asyncio.run(scenario()) == ["thread_started"]


def test_posts_reach_the_socket_in_order(user_context: UserExecutionContext) -> None:
    async def scenario() -> list[str]:
        harness = await open_thread(user_context)
        for text in ("hello", "how are you", "bye"):
            assert await harness.post(text)
        return harness.texts()

    assert asyncio.run(scenario()) == ["hello", "how are you", "bye"]


def test_reconnect_moves_delivery_to_the_new_socket() -> None:
    ctx = make_context("carol")

    async def scenario() -> tuple[InMemoryConnection, InMemoryConnection]:
        harness = await open_thread(ctx)
        await harness.post("before")
        first = harness.connection
        await harness.reconnect()
        await harness.post("after")
        await harness.close()
        return first, harness.connection

    first, second = asyncio.run(scenario())
    assert [e["data"].get("text") for e in first.events_of("message")] == ["before"]
    assert [e["data"].get("text") for e in second.events_of("message")] == ["after"]
    assert second.closed and not first.closed


def test_manager_for_delivers_to_a_connected_socket() -> None:
    ctx = make_context("dave")

    async def scenario() -> InMemoryConnection:
        manager = manager_for(ctx)
        connection = InMemoryConnection(ctx.user_id)
        manager.connect(connection)
        await manager.send(make_event(ctx, EventType.MESSAGE, text="hi"))
        manager.disconnect(connection)
        return connection

    received = asyncio.run(scenario()).received
    assert [(e["user_id"], e["data"]) for e in received] == [("dave", {"text": "hi"})]
