"""``--format json``: the stable, versioned schema documented in docs/report-schema.md.

Keys are only ever added within a version; renaming or removing one bumps ``version``.
"""

from __future__ import annotations

import json
from typing import Any

from ... import __version__
from ...config import Config
from ...model import DetectResult
from ..tally import Tally, summary
from . import FORMATS, ReportFormat

SCHEMA_VERSION = 1


def document(result: DetectResult, config: Config, t: Tally) -> dict[str, Any]:
    """The report as plain JSON-ready values."""
    doc: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "tool": "phasegate",
        "tool_version": __version__,
        "root": str(config.root),
        "config": str(config.path),
        "summary": summary(result),
        "violations": [v.to_dict() for v in result.violations],
        "problems": [{"path": p.path, "reason": p.reason, "line": p.line}
                     for p in result.problems],
        "counts": t.counts,
        "phases": {p: {"title": t.titles.get(p, ""), "violations": t.phase_total(p),
                       "files_pending": list(t.phase_files[p])} for p in t.phases},
        "baseline": None,
    }
    if t.baseline:
        doc["baseline"] = {
            "counts": t.baseline,
            "grown": {r: t.rule_total(r) for r in t.rules if t.grown(r)},
        }
    return doc


def render_json(result: DetectResult, config: Config, t: Tally) -> str:
    return json.dumps(document(result, config, t), indent=2, ensure_ascii=False) + "\n"


FORMATS.register(ReportFormat(
    "json", "the phasegate.report JSON document (docs/report-schema.md)", render_json, order=30))
