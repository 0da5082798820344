"""Tokens that prove a WebSocket manager was created for a given user context.

A token is ``<user_id>.<hmac>`` where the HMAC covers the user, thread and run. The secret is
per process unless NETRA_TOKEN_SECRET is set, so a token cannot be forged or reused for
another user.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from netra_backend.app.context import UserExecutionContext

_SECRET = os.environ.get("NETRA_TOKEN_SECRET", "").encode() or secrets.token_bytes(32)


class AuthorizationError(PermissionError):
    """A token or a connection does not belong to the user context it was used with."""


def _digest(user_context: UserExecutionContext) -> str:
    message = f"{user_context.user_id}\0{user_context.thread_id}\0{user_context.run_id}"
    return hmac.new(_SECRET, message.encode(), hashlib.sha256).hexdigest()


def issue_authorization_token(user_context: UserExecutionContext) -> str:
    """A token valid for exactly this user, thread and run."""
    if not isinstance(user_context, UserExecutionContext):
        raise TypeError(f"expected a UserExecutionContext, got {type(user_context).__name__}")
    return f"{user_context.user_id}.{_digest(user_context)}"


def verify_authorization_token(token: str, user_context: UserExecutionContext) -> bool:
    """Whether ``token`` was issued for ``user_context`` (constant-time comparison)."""
    if not isinstance(token, str) or "." not in token:
        return False
    user_id, _, digest = token.rpartition(".")
    return hmac.compare_digest(user_id, user_context.user_id) and hmac.compare_digest(
        digest, _digest(user_context)
    )
