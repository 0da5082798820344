"""Domain services. The package re-exports the WebSocket factory for older callers."""

from __future__ import annotations

from netra_backend.app.services.thread_service import ThreadService
from netra_backend.app.websocket_core import create_websocket_manager

__all__ = ["ThreadService", "create_websocket_manager"]
