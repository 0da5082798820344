"""Unit: the deprecated factory's behaviour, side by side with the canonical manager.

The factory module is loaded by name so that these tests keep describing the legacy code
whichever phase has been migrated (a string import is left to a person, never rewritten).
"""

from __future__ import annotations

import asyncio
import importlib

import pytest

from netra_backend.app.auth.tokens import issue_authorization_token
from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core.connection import InMemoryConnection
from netra_backend.app.websocket_core.types import EventType, make_event
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager

legacy = importlib.import_module("netra_backend.app.websocket_core.websocket_manager_factory")
ALICE = UserExecutionContext("alice", "ta", "ra")
BOB = UserExecutionContext("bob", "tb", "rb")


def canonical(ctx: UserExecutionContext) -> WebSocketManager:
    return WebSocketManager(user_context=ctx, authorization_token=issue_authorization_token(ctx))


def test_factory_warns() -> None:
    with pytest.warns(DeprecationWarning, match="shared by every user"):
        legacy.create_websocket_manager(ALICE)


@pytest.mark.parametrize("call", [
    lambda f: f(),
    lambda f: f(ALICE),
    lambda f: f(user_context=BOB),
])
def test_factory_returns_one_shared_manager_whatever_the_context(call) -> None:
    with pytest.warns(DeprecationWarning):
        manager = call(legacy.create_websocket_manager)
    assert manager is legacy.shared_manager()
    assert manager.user_context is None  # the context was ignored


def test_awaiting_the_factory_result_gives_the_manager_back() -> None:
    async def scenario() -> object:
        with pytest.warns(DeprecationWarning):
            return await legacy.create_websocket_manager(user_context=ALICE)

    assert asyncio.run(scenario()) is legacy.shared_manager()


def test_canonical_managers_are_per_user() -> None:
    a, b = canonical(ALICE), canonical(BOB)
    assert a is not b
    assert (a.user_context, b.user_context) == (ALICE, BOB)


def _deliver(manager_a: object, manager_b: object) -> tuple[set[str], set[str]]:
    sa, sb = InMemoryConnection("alice"), InMemoryConnection("bob")
    manager_a.connect(sa)  # type: ignore[attr-defined]
    manager_b.connect(sb)  # type: ignore[attr-defined]
    asyncio.run(manager_a.send(make_event(ALICE, EventType.MESSAGE, text="private")))  # type: ignore[attr-defined]
    return sa.users_seen(), sb.users_seen()


def test_legacy_leaks_alice_event_to_bob() -> None:
    shared = legacy.shared_manager()
    assert _deliver(shared, shared) == ({"alice"}, {"alice"})  # bob received alice's message


def test_canonical_keeps_alice_event_to_alice() -> None:
    assert _deliver(canonical(ALICE), canonical(BOB)) == ({"alice"}, set())


def test_legacy_keeps_sending_after_close_canonical_refuses() -> None:
    shared = legacy.shared_manager()
    asyncio.run(shared.close())
    assert shared.closed is False  # "closed" means nothing to it
    manager = canonical(ALICE)
    asyncio.run(manager.close())
    assert manager.closed is True
    assert asyncio.run(manager.send(make_event(ALICE, EventType.MESSAGE))) is False
