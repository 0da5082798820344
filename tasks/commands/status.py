"""Show the migration tracker: per phase its status, counts, gates and files pending/done."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import config as config_mod
from ..detect.engine import detect
from ..errors import EXIT_OK, EXIT_USAGE, MigrationError
from ..model import DetectResult
from ..recorded import read_status
from ..report import tracker
from ._common import recover_first

ORDER = 60
FORMATS = ("table", "text", "markdown", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="table on a terminal, text when piped or CI is set (default); "
                             "markdown to paste into an issue")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--no-cache", action="store_true", help="ignore the detect cache")
    parser.add_argument("--history", action="store_true",
                        help="print the history: one line per detect, migrate and rollback")
    parser.add_argument("--history-file", metavar="PATH",
                        help="the history to read (default: history.jsonl in the state dir)")


def run(args: argparse.Namespace) -> int:
    config = config_mod.read(args.config)
    recover_first(config)
    if args.history:
        text = _history_text(config, args)
    else:
        fmt = args.format or _default_format(args.output)
        if fmt == "html":
            from ..report.html import pygal_module

            pygal_module()  # the one-line error before any work when the extra is missing
        result = detect(config, use_cache=not args.no_cache)
        rows = tracker.build(config, result, read_status(config))
        text = _html(config, rows, result, args) if fmt == "html" else {
            "table": tracker.render_rich, "text": tracker.render_text,
            "markdown": tracker.render_markdown}[fmt](rows, result)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"status written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _history_text(config: config_mod.Config, args: argparse.Namespace) -> str:
    from ..report import history, history_view

    if args.format not in (None, "text", "table"):
        raise MigrationError(f"--history prints text, not {args.format} (the html page "
                             "charts the history)", EXIT_USAGE)
    path = history.path_for(config, args.history_file)
    return history_view.render_text(config, history.read(path), path)


def _html(config: config_mod.Config, rows: list[tracker.PhaseRow], result: DetectResult,
          args: argparse.Namespace) -> str:
    from ..report import history, history_view, html

    path = history.path_for(config, args.history_file)
    records = history_view.with_now(history.read(path), history.make_record(config, result))
    return html.render_html(config, rows, result, records, source=str(path))


def _default_format(output: str | None) -> str:
    interactive = sys.stdout.isatty() and not os.environ.get("CI") and not output
    return "table" if interactive else "text"
