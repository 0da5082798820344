"""Runs a tool on behalf of one user and reports its progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection

from ..websocket_core import ws_types

Tool = Callable[..., Any]


class ToolDispatcher:
    def __init__(self) -> None:
        self.tools: dict[str, Tool] = {}

    def register(self, name: str, tool: Tool) -> None:
        self.tools[name] = tool

    async def dispatch(self, user_context: UserExecutionContext, connection: InMemoryConnection,
                       name: str, **kwargs: Any) -> Any:
        # a function-local import, as this module always had; the migration keeps it local
        from netra_backend.app.websocket_core import create_websocket_manager

        if name not in self.tools:
            raise KeyError(f"unknown tool {name!r}")
        manager = create_websocket_manager(user_context=user_context)
        manager.connect(connection)
        try:
            await manager.send(ws_types.make_event(user_context, ws_types.EventType.TOOL_EXECUTING,
                                                   tool=name))
            result = self.tools[name](**kwargs)
            await manager.send(ws_types.make_event(user_context, ws_types.EventType.TOOL_COMPLETED,
                                                   tool=name, result=result))
            return result
        finally:
            manager.disconnect(connection)
