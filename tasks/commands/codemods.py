"""Custom codemods: ``codemods test`` runs every codemod's embedded examples (bundled and the
project's own, ``[project] codemods``) and reports each; exit 0 when all pass, 1 otherwise."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import config as config_mod
from ..errors import EXIT_FOUND, EXIT_OK

ORDER = 80


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("test",),
                        help="test: run every codemod's embedded examples")


def run(args: argparse.Namespace) -> int:
    from ..rewrite.examples import check, codemod_cases  # libcst: only when run

    project = None
    if Path(args.config).is_file():  # without phases.toml: the bundled codemods alone
        project = config_mod.read(args.config).codemods
    failed = 0
    cases = codemod_cases(project)
    for case in cases:
        problem = check(case)
        failed += bool(problem)
        print(f"{'FAIL' if problem else 'ok':4} {case.id}" + (f": {problem}" if problem else ""))
    print(f"{len(cases) - failed} of {len(cases)} example(s) passed"
          + (f" ({project})" if project else " (bundled codemods only)"))
    return EXIT_FOUND if failed else EXIT_OK
