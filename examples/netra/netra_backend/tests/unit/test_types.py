"""Unit: the event envelope, and the deprecated ws_types module as an alias of types."""

from __future__ import annotations

import pytest

from netra_backend.app.context import UserExecutionContext
from netra_backend.app.websocket_core import types as canonical_types
from netra_backend.app.websocket_core import ws_types


def test_envelope_names_its_user_thread_and_run() -> None:
    ctx = UserExecutionContext("u", "t", "r")
    event = canonical_types.make_event(ctx, canonical_types.EventType.MESSAGE, text="hi")
    assert event == {"type": "message", "user_id": "u", "thread_id": "t", "run_id": "r",
                     "data": {"text": "hi"}}


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(ValueError):
        canonical_types.make_event(UserExecutionContext("u", "t"), "no-such-type")  # type: ignore[arg-type]


def test_system_events_belong_to_no_user() -> None:
    assert canonical_types.system_event(canonical_types.EventType.HEARTBEAT)["user_id"] == "system"


@pytest.mark.parametrize("name", ["Event", "EventType", "make_event", "system_event"])
def test_old_module_exposes_the_same_objects(name: str) -> None:
    assert getattr(ws_types, name) is getattr(canonical_types, name)
