"""An old tool that reached the WebSocket factory through ``__import__``."""

from __future__ import annotations

from typing import Any


def legacy_factory() -> Any:
    module = __import__(
        "netra_backend.app.websocket_core.websocket_manager_factory", fromlist=["_"]
    )
    return module.create_websocket_manager


def is_shared() -> bool:
    """Whether two calls give the same manager (they do: that is the deprecated behaviour)."""
    factory = legacy_factory()
    return factory() is factory()
