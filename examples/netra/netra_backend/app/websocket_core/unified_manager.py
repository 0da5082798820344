"""Deprecated: ``UnifiedWebSocketManager`` was renamed ``WebSocketManager`` and moved.

The old name stays an alias of the canonical class so un-migrated code keeps working; the
``ws-unified`` move rule rewrites importers to
``netra_backend.app.websocket_core.websocket_manager.WebSocketManager``.
"""

from __future__ import annotations

from netra_backend.app.websocket_core.websocket_manager import WebSocketManager

UnifiedWebSocketManager = WebSocketManager

__all__ = ["UnifiedWebSocketManager"]
