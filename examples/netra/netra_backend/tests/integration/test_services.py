"""Integration: thread, message and notification services over a user's socket."""

from __future__ import annotations

import asyncio

from netra_backend.app.auth.tokens import issue_authorization_token
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.services import ThreadService
from netra_backend.app.services.message_service import announce, post_message
from netra_backend.app.services.notification_service import NotificationService
from netra_backend.app.websocket_core import websocket_manager_factory
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def test_thread_service_starts_threads_per_user() -> None:
    service = ThreadService()
    socket = InMemoryConnection("erin")
    thread = asyncio.run(service.start("erin", "Quarterly numbers", socket))
    assert service.threads_of("erin") == [thread] and service.threads_of("frank") == []
    [event] = socket.received
    assert (event["type"], event["thread_id"], event["data"]) == (
        "thread_started", thread.thread_id, {"title": "Quarterly numbers"})


def test_post_message_echoes_to_the_author(user_context: UserExecutionContext,
                                           connection: InMemoryConnection) -> None:
    message = asyncio.run(post_message(user_context, connection, "ping"))
    assert message == {"thread_id": "thread-alice", "author": "alice", "text": "ping"}
    assert [e["data"]["text"] for e in connection.events_of("message")] == ["ping"]


def test_notification_goes_through_the_given_manager(user_context: UserExecutionContext,
                                                     connection: InMemoryConnection) -> None:
    manager = WebSocketManager(user_context=user_context,
                               authorization_token=issue_authorization_token(user_context))
    manager.connect(connection)
    service = NotificationService()
    assert asyncio.run(service.notify(manager, user_context, "your report is ready"))
    assert service.outbox == connection.received
    assert connection.received[0]["type"] == "notification"


def test_announce_reaches_every_socket_on_the_shared_manager() -> None:
    shared = websocket_manager_factory.shared_manager()
    sockets = [InMemoryConnection(u) for u in ("gina", "hank")]
    for socket in sockets:
        shared.connect(socket)
    assert asyncio.run(announce("maintenance at noon")) == 2
    assert all(s.received[0]["data"] == {"text": "maintenance at noon"} for s in sockets)
