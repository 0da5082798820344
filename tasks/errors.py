"""The one user-facing error type, and the documented exit codes."""

from __future__ import annotations

# Exit codes, documented in the README and asserted in tests.
EXIT_OK = 0  # clean, or the phase was committed
EXIT_FOUND = 1  # violations found / changes pending (detect, dry runs)
EXIT_USAGE = 2  # usage or configuration error, refused input
EXIT_GATE = 3  # a gate failed and the phase was rolled back
EXIT_CONFLICT = 4  # rollback left conflicts (files changed since the migration)


class MigrationError(Exception):
    """An expected failure: printed as one line, mapped to an exit code.

    ``message`` may span several lines when several problems were collected
    (one line per problem, as for a bad phases.toml).
    """

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
