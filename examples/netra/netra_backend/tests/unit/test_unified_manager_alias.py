"""Unit: the old UnifiedWebSocketManager name still constructs the canonical manager."""

from __future__ import annotations

import pytest

from netra_backend.app.auth.tokens import AuthorizationError, issue_authorization_token
from netra_backend.app.context import UserExecutionContext


def test_old_name_builds_a_per_user_manager(user_context: UserExecutionContext) -> None:
    from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager

    manager = UnifiedWebSocketManager(user_context=user_context,
                                      authorization_token=issue_authorization_token(user_context))
    assert manager.user_context == user_context and not manager.closed


def test_old_name_checks_the_token(user_context: UserExecutionContext,
                                   other_context: UserExecutionContext) -> None:
    from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager

    with pytest.raises(AuthorizationError):
        UnifiedWebSocketManager(user_context=user_context,
                                authorization_token=issue_authorization_token(other_context))
