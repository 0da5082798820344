"""Deprecated: moved to ``netra_backend.app.websocket_core.types`` (same names).

Kept as a thin re-export so code that has not been migrated yet keeps working; phasegate's
``ws-types`` rule moves every importer to the new module, after which this file can go.
"""

from __future__ import annotations

from netra_backend.app.websocket_core.types import Event, EventType, make_event, system_event

__all__ = ["Event", "EventType", "make_event", "system_event"]
