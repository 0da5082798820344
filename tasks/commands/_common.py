"""Steps several commands share (a leading underscore keeps this out of the command list)."""

from __future__ import annotations

import argparse
import os
import sys

from ..config import Config

JOBS_PER_CORE = 4  # -j above this many per core only costs memory and fork time


def add_jobs(parser: argparse.ArgumentParser) -> None:
    """``--jobs/-j N``: a positive count; :func:`jobs` caps it."""
    parser.add_argument("--jobs", "-j", type=positive_int, default=None, metavar="N",
                        help=f"worker processes (default: one per core; at most "
                             f"{JOBS_PER_CORE} per core)")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def jobs(requested: int | None) -> int | None:
    """``requested`` capped at :data:`JOBS_PER_CORE` per core, with a note when capped."""
    cap = JOBS_PER_CORE * (os.cpu_count() or 1)
    if requested is not None and requested > cap:
        print(f"phasegate: note: -j {requested} capped at {cap} ({JOBS_PER_CORE} per core)",
              file=sys.stderr)
        return cap
    return requested


def recover_first(config: Config) -> None:
    """A phase a crash left prepared but neither committed nor rolled back is rolled back
    before anything else reads the tree (docs/journal.md: recovery), and the command says so."""
    from ..statedir import journal_dir

    try:
        if not any(journal_dir(config).iterdir()):
            return  # no transaction at all: nothing to recover (the journal stays unimported)
    except OSError:
        return  # no journal directory: no transaction was ever begun here
    from .. import early_git
    from ..settle import recover

    early_git.drop()  # a recovery puts files back: git's early answers may be out of date
    for line in recover(config)[0]:
        print(line, file=sys.stderr)
