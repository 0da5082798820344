"""Nightly clean-up: drop sockets that are already closed."""

from __future__ import annotations

from netra_backend.app.websocket_core import create_websocket_manager


def sweep() -> int:
    """Disconnect closed sockets from the manager; returns how many were removed."""
    manager = create_websocket_manager()  # a job has no user: left to a person
    stale = [c for c in manager.connections if getattr(c, "closed", False)]
    for connection in stale:
        manager.disconnect(connection)
    return len(stale)


def describe(kinds: list[str]) -> str:
    # A local helper that happens to share the deprecated name: it shadows the import inside
    # this function and is not a reference to the factory.
    def create_websocket_manager(kind: str) -> str:
        return f"would sweep {kind} sockets"

    return "; ".join(create_websocket_manager(kind) for kind in kinds)
