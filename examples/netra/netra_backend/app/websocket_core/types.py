"""Event types and the event envelope sent over WebSockets (the canonical module).

This module replaced ``websocket_core.ws_types``; the old module still re-exports these names
until every phase of the migration is complete.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from netra_backend.app.context import UserExecutionContext

Event = dict[str, Any]


class EventType(str, Enum):
    THREAD_STARTED = "thread_started"
    AGENT_STARTED = "agent_started"
    AGENT_THINKING = "agent_thinking"
    TOOL_EXECUTING = "tool_executing"
    TOOL_COMPLETED = "tool_completed"
    AGENT_COMPLETED = "agent_completed"
    NOTIFICATION = "notification"
    MESSAGE = "message"
    REPORT_READY = "report_ready"
    HEARTBEAT = "heartbeat"


def make_event(user_context: UserExecutionContext, event_type: EventType, **data: Any) -> Event:
    """The envelope every event carries: whose it is, in which thread and run, and its data."""
    return {
        "type": EventType(event_type).value,
        "user_id": user_context.user_id,
        "thread_id": user_context.thread_id,
        "run_id": user_context.run_id,
        "data": data,
    }


def system_event(event_type: EventType, **data: Any) -> Event:
    """An event that belongs to no user (health checks, maintenance notices)."""
    return {"type": EventType(event_type).value, "user_id": "system", "thread_id": "",
            "run_id": "", "data": data}
