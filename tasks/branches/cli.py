"""The ``--branch`` options of ``phasegate migrate`` and the hand-off before its normal flow.

``commands/migrate.py`` calls :func:`add_arguments` from its own and :func:`hand_off` first in
its ``run``: with ``--branch`` the whole command is this package's (the user's working tree is
never touched); without it, the options only it understands are refused and the normal flow
goes on. (Worktrees a killed run left are cleaned before every command, in ``tasks/cli.py``.)
This module imports nothing heavy: every CLI start builds the parser.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("more_phases", nargs="*", default=[], metavar="PHASE",
                        help="with --branch: more phases or globs (e.g. 'p2-*'), each on its own "
                             "branch")
    parser.add_argument("--branch", nargs="?", const="", default=None, metavar="NAME",
                        help="migrate in a temporary git worktree of HEAD and commit the "
                             "result on a new branch (default phasegate/{phase}); put PHASE "
                             "first; with it, --keep-going goes on with the other shards after "
                             "one fails")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="with --branch: migrate N shards at a time (default 1)")


def hand_off(args: argparse.Namespace) -> int | None:
    """The exit code when ``--branch`` took the command over, None for the normal flow."""
    from ..errors import EXIT_USAGE, MigrationError

    if args.branch is None:
        if args.more_phases:
            raise MigrationError("several phases need --branch (one migration per branch); "
                                 "without it, migrate one phase at a time", EXIT_USAGE)
        if args.jobs != 1:
            raise MigrationError("-j/--jobs needs --branch", EXIT_USAGE)
        return None
    for flag, given in (("--dry-run", args.dry_run), ("--allow-dirty", args.allow_dirty)):
        if given:
            raise MigrationError(f"{flag} has no meaning with --branch (the worktree is a clean "
                                 "checkout of HEAD; use `phasegate plan` for a dry run)",
                                 EXIT_USAGE)
    if args.jobs < 1:
        raise MigrationError(f"-j/--jobs: must be at least 1 (got {args.jobs})", EXIT_USAGE)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from .. import config as config_mod
    from ..gates.spec import check_only
    from . import many

    config = config_mod.read(args.config)
    check_only(config, args.gates)  # refused here, before any worktree: each would refuse it
    phases = many.select(config, [args.phase, *args.more_phases])
    ctx = many.context(config, phases, _child_args(args))
    branches = many.branch_names(ctx.top, phases, args.branch or None)
    outcomes = many.run_all(ctx, branches, jobs=args.jobs, keep_going=args.keep_going)
    many.print_summary(outcomes)
    return many.exit_code(outcomes)


def _child_args(args: argparse.Namespace) -> list[str]:
    """What the migration in each worktree is also told."""
    out = ["--gates", args.gates] if args.gates else []
    return out + (["--all-tests"] if args.all_tests else [])
