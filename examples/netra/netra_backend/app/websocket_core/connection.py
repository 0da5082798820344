"""An in-memory WebSocket transport with the semantics of a real one (Starlette's).

Sending takes a moment (the event loop runs other tasks meanwhile), and a send that reaches a
socket which was closed in the meantime raises the same RuntimeError Starlette raises. That is
what makes the legacy manager's send/close race observable in tests.
"""

from __future__ import annotations

import asyncio
from typing import Any

CLOSED_MESSAGE = 'Cannot call "send" once a close message has been sent.'


class InMemoryConnection:
    """One browser tab's socket: records what it received, refuses sends once closed."""

    def __init__(self, user_id: str | None = None, *, latency: int = 1) -> None:
        self.user_id = user_id
        self.latency = latency  # event-loop turns a send takes to reach the socket
        self.received: list[dict[str, Any]] = []
        self.closed = False
        self.close_code: int | None = None

    async def send_json(self, event: dict[str, Any]) -> None:
        for _ in range(self.latency):
            await asyncio.sleep(0)
        if self.closed:
            raise RuntimeError(CLOSED_MESSAGE)
        self.received.append(dict(event))

    async def close(self, code: int = 1000) -> None:
        await asyncio.sleep(0)
        self.closed = True
        self.close_code = code

    def events_of(self, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.received if e.get("type") == event_type]

    def users_seen(self) -> set[str]:
        """Every user whose events reached this socket (exactly one when isolated)."""
        return {str(e.get("user_id")) for e in self.received}
