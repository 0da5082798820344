"""Split a phase into shards by code owner or directory; --write puts them in phases.toml.

Only the phase's files that have a violation are sharded; each lands in exactly one shard of at
most ``--max-files`` files. ``--write`` inserts one phase per shard right before the phase in
phases.toml (comments and every other table kept byte for byte) and leaves the phase itself
after them, so it keeps its files without violations. Exit 0; 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from .. import config as config_mod
from ..errors import EXIT_OK
from ..shards.grouping import BY, Shard
from ..shards.split import Split, split, write

ORDER = 25


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("phase", metavar="PHASE", help="the phase to split (e.g. p2)")
    parser.add_argument("--by", choices=BY, default="codeowners",
                        help="codeowners: one shard per set of owners (default); directory: "
                             "the deepest directories, merged up to --max-files")
    parser.add_argument("--max-files", type=int, default=None, metavar="N",
                        help="at most N files per shard (larger ones are cut by directory)")
    parser.add_argument("--codeowners", metavar="PATH",
                        help="the CODEOWNERS file (default: .github/, the root, docs/, .gitlab/)")
    parser.add_argument("--write", action="store_true",
                        help="replace the phase in phases.toml by its shards (then the phase)")


def run(args: argparse.Namespace) -> int:
    config = config_mod.read(args.config)
    result = split(config, args.phase, by=args.by, max_files=args.max_files,
                   codeowners=args.codeowners)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    show(result, sys.stdout)
    if not result.shards:
        return EXIT_OK
    if not args.write:
        print(f"nothing written: pass --write to put these {len(result.shards)} phase(s) into "
              f"{config.path.name} before {result.phase}")
        return EXIT_OK
    how = f"phasegate split {result.phase} --by {result.by}" + (
        f" --max-files {args.max_files}" if args.max_files else "")
    backup = write(config, result, how)
    print(f"wrote {len(result.shards)} phase(s) into {config.path.name} before {result.phase} "
          f"(the old file is saved at {backup})")
    return EXIT_OK


def show(result: Split, out: TextIO) -> None:
    """One line per shard (id, owners, files, sites), its files below it, a summary line."""
    if not result.shards:
        out.write(f"phase {result.phase}: no file has a violation; nothing to split\n")
        return
    width = max(len(s.id) for s in result.shards)
    for item in result.shards:
        out.write(f"{item.id:<{width}}  {_who(result, item)}  {len(item.files)} file(s), "
                  f"{item.fixable} fixable, {item.manual} manual\n")
        for f in item.files:
            out.write(f"  {f.path}  ({f.fixable} fixable, {f.manual} manual)\n")
    files = sum(len(s.files) for s in result.shards)
    source = f" (owners from {result.source})" if result.source else ""
    out.write(f"phase {result.phase}: {files} file(s) with violations in {len(result.shards)} "
              f"shard(s){source}; {result.untouched} file(s) without a violation stay in "
              f"{result.phase}\n")


def _who(result: Split, item: Shard) -> str:
    if result.by == "directory":
        return f"{item.directory or '.'}/"
    return ", ".join(item.owners) or "(unowned)"
