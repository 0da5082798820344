"""The WebSocket layer: per-user managers, the event envelope, an in-memory transport.

``create_websocket_manager`` is still re-exported here (and listed in ``__all__``) because most
of the codebase imports it from this package; it is deprecated (see
``websocket_manager_factory``) and phasegate's ``ws-factory`` rule migrates its callers.
"""

from __future__ import annotations

from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import Event, EventType, make_event
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager

__all__ = [
    "Event",
    "EventType",
    "InMemoryConnection",
    "WebSocketManager",
    "create_websocket_manager",
    "make_event",
]
