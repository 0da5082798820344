"""Propose rules from the deprecation markers in the code (@deprecated, DeprecationWarning, ...)."""

from __future__ import annotations

import argparse
import sys

from .. import config as config_mod
from ..errors import EXIT_OK

ORDER = 5
FORMATS = ("toml", "json", "table")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="only look for markers under these paths (default: the project)")
    parser.add_argument("--format", choices=FORMATS, default="toml",
                        help="toml: ready-to-paste [rules.<id>] tables (default); json: the "
                             "phasegate.suggest/1 schema; table: one line per object")
    parser.add_argument("--write", action="store_true",
                        help="append the rules phases.toml does not have yet to it")
    parser.add_argument("--no-uses", action="store_true",
                        help="do not count each proposed rule's uses with detect")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="worker processes (default: one per core)")


def run(args: argparse.Namespace) -> int:
    from ..suggest import render, suggest

    config = config_mod.read(args.config)
    report = suggest(config, args.paths, jobs=args.jobs, count_uses=not args.no_uses)
    text = {"toml": render.to_toml, "json": render.to_json,
            "table": render.to_table}[args.format](report)
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    for problem in report.problems:
        print(f"{problem.path}: {problem.reason}", file=sys.stderr)
    if args.write:
        from ..suggest.write import write

        written = write(config, report.suggestions)
        print(f"suggest: {len(written)} rule(s) added to {config.path.name}"
              + (f": {', '.join(written)}" if written else ""), file=sys.stderr)
    if args.format != "table":
        print(render.summary(report), file=sys.stderr)
    return EXIT_OK
