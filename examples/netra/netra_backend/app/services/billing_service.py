"""Billing: usage charges, with a receipt pushed to the user's socket."""

from __future__ import annotations

import netra_backend.app.websocket_core
import netra_backend.app.websocket_core.ws_types
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection

PRICE_PER_TOKEN = 0.002


def charge(tokens: int) -> float:
    if tokens < 0:
        raise ValueError("tokens must be >= 0")
    return round(tokens * PRICE_PER_TOKEN, 4)


async def send_receipt(ctx: UserExecutionContext, connection: InMemoryConnection,
                       tokens: int) -> float:
    amount = charge(tokens)
    manager = netra_backend.app.websocket_core.create_websocket_manager(ctx)
    manager.connect(connection)
    try:
        await manager.send(netra_backend.app.websocket_core.ws_types.make_event(
            ctx, netra_backend.app.websocket_core.ws_types.EventType.NOTIFICATION,
            receipt=amount, tokens=tokens,
        ))
    finally:
        manager.disconnect(connection)
    return amount


async def send_statement(user_context: UserExecutionContext, connection: InMemoryConnection,
                         usage: list[int]) -> float:
    total = sum(charge(tokens) for tokens in usage)
    manager = netra_backend.app.websocket_core.create_websocket_manager(user_context=user_context)
    manager.connect(connection)
    try:
        await manager.send(netra_backend.app.websocket_core.ws_types.make_event(
            user_context, netra_backend.app.websocket_core.ws_types.EventType.REPORT_READY,
            total=round(total, 4), lines=len(usage),
        ))
    finally:
        manager.disconnect(connection)
    return round(total, 4)
