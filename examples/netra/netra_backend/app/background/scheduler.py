"""Looks up job hooks by module name, the way plugins were loaded before the WebSocket rework."""

from __future__ import annotations

import importlib
from typing import Any

JOBS = {
    "cleanup": "netra_backend.app.background.cleanup_job",
    "reports": "netra_backend.app.background.report_job",
}


def load_job(name: str) -> Any:
    return importlib.import_module(JOBS[name])


def legacy_manager_module() -> Any:
    # Loaded by string, so no import statement names it: a person must rewrite this.
    return importlib.import_module("netra_backend.app.websocket_core.websocket_manager_factory")
