"""Roll back a committed phase byte for byte, newest first (exit 0; 4 when files conflict).

Each file still holding the phase's output gets its pre-image back (checked by sha256 first);
a file already at its pre-image is skipped; a file changed since the migration is a conflict:
left untouched, with its pre, post and current versions saved under the journal (paths
printed), exit 4, every other file still restored. Then every file is re-hashed and the
verification is printed.
"""

from __future__ import annotations

import argparse
import sys

from .. import config as config_mod
from .. import journal, settle
from ..errors import EXIT_CONFLICT, EXIT_OK

ORDER = 35


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("phase", metavar="PHASE", nargs="?",
                        help="the phase to roll back (default: the newest committed phase)")


def run(args: argparse.Namespace) -> int:
    config = config_mod.read(args.config)
    if args.phase:
        config.phase(args.phase)  # a clear error for an unknown phase
    with journal.locked(config):
        lines, recovered = settle.recover(config)
        for line in lines:
            print(line, file=sys.stderr)
        if recovered and not journal.committed_phases(config, args.phase):
            # recovery just finished an interrupted rollback (or apply) of this phase
            return EXIT_OK if all(r.clean for r in recovered) else EXIT_CONFLICT
        report, warnings = settle.rollback(config, args.phase)
        from ..report import history

        history.record_event(config, "rolled-back", report.phase,
                             "" if report.clean else f"{len(report.conflicts)} conflict(s)")
    for line in report.lines():
        print(line)
    for line in warnings:
        print(line, file=sys.stderr)
    return EXIT_OK if report.clean else EXIT_CONFLICT
