"""Show what a phase's rules would change: a diff per file and a summary (writes nothing).

Exit 1 when there are changes, 0 when none; a file that could not be planned is listed with its
reason (with ``--strict``: exit 2 and nothing else).

``--format json`` prints one object (schema ``phasegate.plan/1``, stable)::

    {"schema": "phasegate.plan/1",
     "phases": [{"phase": "p0", "title": "...",
                 "summary": {"files_scanned": int, "files_parsed": int, "files_changed": int,
                             "sites_rewritten": int, "sites_manual": int,
                             "manual_reasons": {"<reason>": int}},
                 "files": [{"path": "pkg/mod.py", "changed": bool, "diff": "<unified diff>",
                            "rewritten": [Site], "manual": [Site]}]}]}

where a Site is ``{"path", "line", "col", "rule", "kind", "reason"}`` (line and col 1-based,
col in characters, the place ``detect`` reports; ``reason`` is '' for rewritten sites).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from .. import config as config_mod
from ..errors import EXIT_FOUND, EXIT_OK, EXIT_USAGE, MigrationError
from ._common import add_jobs, jobs, recover_first

if TYPE_CHECKING:  # libcst is heavy: every CLI start imports this module to build --help
    from ..plan import Plan

ORDER = 20
SCHEMA = "phasegate.plan/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("phase", nargs="?", metavar="PHASE", help="the phase to plan")
    parser.add_argument("--all", action="store_true", help="plan every phase, in order")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: diffs and a summary (default); json: see the module doc")
    add_jobs(parser)
    parser.add_argument("--strict", action="store_true",
                        help="fail (exit 2) when one file cannot be rewritten")


def run(args: argparse.Namespace) -> int:
    config = config_mod.read(args.config)
    if bool(args.phase) == bool(args.all):
        raise MigrationError("plan: give one PHASE or --all", EXIT_USAGE)
    ids = [p.id for p in config.phases] if args.all else [config.phase(args.phase).id]
    recover_first(config)  # never plan a tree a crash left half-migrated
    from ..plan import build_plan

    workers = jobs(args.jobs)
    plans = [build_plan(config, pid, jobs=workers, strict=args.strict, diffs=True) for pid in ids]
    show(plans, args.format, sys.stdout)
    return EXIT_FOUND if any(p.changes or p.failures for p in plans) else EXIT_OK


def show(plans: list[Plan], fmt: str, out: TextIO) -> None:
    """Render plans (also what ``migrate --dry-run`` prints)."""
    if fmt == "json":
        out.write(json.dumps(to_json(plans), indent=2, sort_keys=False) + "\n")
        return
    for plan in plans:
        out.write(render_text(plan))


def to_json(plans: list[Plan]) -> dict[str, Any]:
    return {"schema": SCHEMA, "phases": [{
        "phase": plan.phase.id, "title": plan.phase.title, "summary": plan.summary(),
        "files": [{"path": f.path, "changed": f.changed, "diff": f.diff() if f.changed else "",
                   "rewritten": [s.to_dict() for s in f.rewritten],
                   "manual": [s.to_dict() for s in f.manual]} for f in plan.files],
    } for plan in plans]}


def render_text(plan: Plan) -> str:
    parts = [f.diff() for f in plan.changes]
    s = plan.summary()
    parts.append(
        f"phase {plan.phase.id} ({plan.phase.title}): {s['files_changed']} file(s) changed, "
        f"{s['sites_rewritten']} site(s) rewritten, {s['sites_manual']} left to a person "
        f"({s['files_parsed']} of {s['files_scanned']} file(s) parsed)\n")
    for reason, count in s["manual_reasons"].items():
        parts.append(f"  {count} x {reason}\n")
    for site in sorted(plan.manual):
        parts.append(f"  {site.path}:{site.line}:{site.col}: {site.rule}: {site.reason}\n")
    for skipped in plan.skipped:
        parts.append(f"  skipped {skipped.path}: {skipped.reason}\n")
    return "".join(parts)
