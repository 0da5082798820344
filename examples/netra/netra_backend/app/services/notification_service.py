"""Notifications to one user, through a manager the caller already holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import netra_backend.app.websocket_core.ws_types as ws_types
from netra_backend.app.context import UserExecutionContext

if TYPE_CHECKING:
    from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager


class NotificationService:
    def __init__(self) -> None:
        self.outbox: list[ws_types.Event] = []

    async def notify(self, manager: UnifiedWebSocketManager, ctx: UserExecutionContext,
                     text: str) -> bool:
        event = ws_types.make_event(ctx, ws_types.EventType.NOTIFICATION, text=text)
        self.outbox.append(event)
        return await manager.send(event)
