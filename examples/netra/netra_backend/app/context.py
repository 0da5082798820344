"""Who a piece of work is running for: the unit of isolation between users."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UserExecutionContext:
    """One user's request: every event and every WebSocket manager belongs to exactly one."""

    user_id: str
    thread_id: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def __post_init__(self) -> None:
        for name in ("user_id", "thread_id", "run_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"UserExecutionContext.{name} must be a non-empty string")

    def child(self, run_id: str) -> UserExecutionContext:
        """The same user and thread, for a sub-run (a tool call, a sub-agent)."""
        return UserExecutionContext(self.user_id, self.thread_id, run_id)
