"""Roll back any phase a crash left half-applied, and nothing else (exit 0; 4 on conflicts).

Every other command does this first on its own; this one does only that, e.g. after a CI job
was killed mid-migration. Recovery decides per file from sha256 hashes, is idempotent, and
is safe to kill and run again.
"""

from __future__ import annotations

import argparse

from .. import config as config_mod
from .. import journal, settle
from ..errors import EXIT_CONFLICT, EXIT_OK

ORDER = 36


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options of its own (only --config)


def run(args: argparse.Namespace) -> int:
    config = config_mod.read(args.config)
    with journal.locked(config):
        lines, reports = settle.recover(config)
    for line in lines:
        print(line)
    if not lines:
        print("nothing to recover: no phase was left half-applied")
    return EXIT_OK if all(r.clean for r in reports) else EXIT_CONFLICT
