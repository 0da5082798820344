"""Steps several commands share (a leading underscore keeps this out of the command list)."""

from __future__ import annotations

import sys

from ..config import Config


def recover_first(config: Config) -> None:
    """A phase a crash left prepared but neither committed nor rolled back is rolled back
    before anything else reads the tree (DESIGN.md: recovery), and the command says so."""
    from ..settle import recover

    for line in recover(config)[0]:
        print(line, file=sys.stderr)
