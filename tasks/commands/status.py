"""Show the migration tracker: per phase its status, counts, gates and files pending/done."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import config as config_mod
from .. import state
from ..detect.engine import detect
from ..errors import EXIT_OK
from ..report import tracker
from ._common import recover_first

ORDER = 60
FORMATS = ("table", "text", "markdown")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="table on a terminal, text when piped or CI is set (default); "
                             "markdown to paste into an issue")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--no-cache", action="store_true", help="ignore the detect cache")


def run(args: argparse.Namespace) -> int:
    config, _ = config_mod.load(args.config)
    recover_first(config)
    result = detect(config, use_cache=not args.no_cache)
    rows = tracker.build(config, result, state.read_status(config))
    fmt = args.format or _default_format(args.output)
    text = {"table": tracker.render_rich, "text": tracker.render_text,
            "markdown": tracker.render_markdown}[fmt](rows, result)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"status written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _default_format(output: str | None) -> str:
    interactive = sys.stdout.isatty() and not os.environ.get("CI") and not output
    return "table" if interactive else "text"
