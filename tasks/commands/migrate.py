"""Apply a phase through the journal, run its gates, then commit or roll back (exit 0/3/4).

A thin adapter: the flow (recover -> lock -> plan -> baselines -> apply -> ladder -> commit or
rollback -> status) is tasks.migrate. ``--dry-run`` prints the plan and writes nothing (exit 1
when it would change files).
"""

from __future__ import annotations

import argparse
import sys

from .. import config as config_mod
from .. import migrate
from ..branches import cli as branch_cli  # issue 16: --branch runs in a git worktree
from ..errors import EXIT_FOUND, EXIT_OK

ORDER = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("phase", metavar="PHASE", help="the phase to migrate (e.g. p0)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan (like `phasegate plan`) and write nothing")
    parser.add_argument("--allow-dirty", action="store_true",
                        help="apply even to files with uncommitted changes in git")
    parser.add_argument("--gates", metavar="A,B",
                        help="run only these gates of the phase's ladder (comma-separated)")
    parser.add_argument("--keep-going", action="store_true",
                        help="run every gate even after one failed (the phase still rolls back)")
    parser.add_argument("--all-tests", action="store_true",
                        help="run whole test tiers, not only the tests the change affects")
    parser.add_argument("--strict", action="store_true",
                        help="refuse the whole phase when one file cannot be rewritten")
    branch_cli.add_arguments(parser)  # issue 16: PHASE..., --branch [NAME], -j N


def run(args: argparse.Namespace) -> int:
    handed = branch_cli.hand_off(args)  # issue 16: --branch takes the command over
    if handed is not None:
        return handed
    config = config_mod.read(args.config)
    if args.dry_run:
        from . import plan as plan_cmd  # the same rendering as `phasegate plan`

        plan = migrate.plan_only(config, args.phase, strict=args.strict)
        plan_cmd.show([plan], "text", sys.stdout)
        print(f"dry run: {len(plan.changes)} file(s) would change; nothing was written")
        return EXIT_FOUND if plan.changes else EXIT_OK
    return migrate.run(config, migrate.Options(
        phase=args.phase, gates=args.gates, allow_dirty=args.allow_dirty,
        keep_going=args.keep_going, all_tests=args.all_tests, strict=args.strict))
