"""Unit: the user execution context is validated and immutable."""

from __future__ import annotations

import dataclasses

import pytest

from netra_backend.app.context import UserExecutionContext


@pytest.mark.parametrize("field,value", [("user_id", ""), ("thread_id", "  "), ("run_id", "")])
def test_empty_ids_are_refused(field: str, value: str) -> None:
    kwargs = {"user_id": "u", "thread_id": "t", "run_id": "r", field: value}
    with pytest.raises(ValueError, match=field):
        UserExecutionContext(**kwargs)


def test_run_id_is_generated_and_unique() -> None:
    a, b = UserExecutionContext("u", "t"), UserExecutionContext("u", "t")
    assert a.run_id and b.run_id and a.run_id != b.run_id


def test_child_keeps_user_and_thread() -> None:
    parent = UserExecutionContext("u", "t", "r1")
    assert parent.child("r2") == UserExecutionContext("u", "t", "r2")


def test_frozen() -> None:
    ctx = UserExecutionContext("u", "t", "r")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.user_id = "mallory"  # type: ignore[misc]
