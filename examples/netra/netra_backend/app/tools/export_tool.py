"""Exports a thread as CSV and tells the user where it went."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from netra_backend.app.auth.tokens import issue_authorization_token
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager as Manager
from netra_backend.app.websocket_core.ws_types import EventType, make_event


def to_csv(rows: Sequence[dict[str, object]]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


async def export_thread(user_context: UserExecutionContext, connection: InMemoryConnection,
                        rows: Sequence[dict[str, object]]) -> str:
    text = to_csv(rows)
    manager = Manager(user_context=user_context,
                      authorization_token=issue_authorization_token(user_context))
    manager.connect(connection)
    await manager.send(make_event(user_context, EventType.TOOL_COMPLETED, tool="export",
                                  bytes=len(text.encode())))
    await manager.close()
    return text
