"""Unit: authorization tokens are bound to exactly one user, thread and run."""

from __future__ import annotations

import pytest

from netra_backend.app.auth.tokens import issue_authorization_token, verify_authorization_token
from netra_backend.app.context import UserExecutionContext

CTX = UserExecutionContext("alice", "t1", "r1")


def test_round_trip() -> None:
    token = issue_authorization_token(CTX)
    assert token.startswith("alice.") and verify_authorization_token(token, CTX)


@pytest.mark.parametrize("other", [
    UserExecutionContext("bob", "t1", "r1"),
    UserExecutionContext("alice", "t2", "r1"),
    UserExecutionContext("alice", "t1", "r2"),
])
def test_token_does_not_transfer(other: UserExecutionContext) -> None:
    assert not verify_authorization_token(issue_authorization_token(CTX), other)


def test_tampered_token_fails() -> None:
    token = issue_authorization_token(CTX)
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert not verify_authorization_token(forged, CTX)


def test_issue_needs_a_context() -> None:
    with pytest.raises(TypeError, match="UserExecutionContext"):
        issue_authorization_token("alice")  # type: ignore[arg-type]
