"""suggest's output: ready-to-paste TOML, the ``phasegate.suggest/1`` JSON, or a table."""

from __future__ import annotations

import json
from typing import Any

import tomlkit
from tomlkit.items import Table

from . import Report
from .model import Suggestion

SCHEMA = "phasegate.suggest/1"


def status(sugg: Suggestion) -> str:
    """existing | ready | incomplete (no replacement found) | unsupported."""
    if sugg.existing:
        return "existing"
    if not sugg.supported:
        return "unsupported"
    return "ready" if sugg.ready else "incomplete"


def evidence_line(sugg: Suggestion) -> str:
    best = sugg.evidence[0]
    return f"{best.marker} at {best.path}:{best.line} ({sugg.confidence} confidence)"


def rule_table(sugg: Suggestion) -> Table:
    """The ``[rules.<id>]`` table, its first line a comment giving the evidence."""
    table = tomlkit.table()
    table.add(tomlkit.comment(f"suggested by phasegate suggest: {evidence_line(sugg)}"))
    for key, value in sugg.rule_table().items():
        if key == "arguments":
            args = tomlkit.table()
            for name, template in value.items():
                args.add(name, template)
            table.add("arguments", args)
        else:
            table.add(key, value)
    return table


def to_toml(report: Report) -> str:
    """``[rules.<id>]`` tables for the ready suggestions; the others as comments."""
    doc = tomlkit.document()
    rules = tomlkit.table(is_super_table=True)
    for sugg in report.suggestions:
        if status(sugg) == "ready":
            rules.append(sugg.id, rule_table(sugg))
    notes = [_note(s) for s in report.suggestions if status(s) != "ready"]
    for note in notes:
        doc.add(tomlkit.comment(note))
    if notes:
        doc.add(tomlkit.nl())
    if len(rules):
        doc.append("rules", rules)
    return tomlkit.dumps(doc)


def _note(sugg: Suggestion) -> str:
    state = status(sugg)
    if state == "existing":
        return f"{sugg.old}: already covered by [rules.{sugg.existing}]"
    return f"{sugg.old} ({sugg.target}): {state}: {sugg.reason} [{evidence_line(sugg)}]"


def to_json(report: Report) -> str:
    data = {
        "schema": SCHEMA,
        "files_scanned": report.files_scanned,
        "files_parsed": report.files_parsed,
        "problems": [{"path": p.path, "reason": p.reason} for p in report.problems],
        "suggestions": [_json_one(s) for s in report.suggestions],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _json_one(sugg: Suggestion) -> dict[str, Any]:
    return {
        "id": sugg.id, "status": status(sugg), "kind": sugg.kind, "target": sugg.target,
        "old": sugg.old, "aliases": sugg.aliases, "new": sugg.new, "params": sugg.params,
        "arguments": dict(sugg.arguments), "imports": sugg.imports, "message": sugg.message,
        "reason": sugg.reason, "confidence": sugg.confidence, "existing": sugg.existing,
        "uses": sugg.uses,
        "evidence": [{"path": m.path, "line": m.line, "marker": m.marker} for m in sugg.evidence],
    }


def to_table(report: Report) -> str:
    rows = [("id", "status", "kind", "old", "new / reason", "confidence", "uses", "evidence")]
    for s in report.suggestions:
        best = s.evidence[0]
        rows.append((s.id, status(s), s.kind or "-", s.old, s.new or f"({s.reason})",
                     s.confidence, str(sum(s.uses.values())) if s.supported else "-",
                     f"{best.path}:{best.line} {best.marker}"))
    widths = [min(max(len(r[i]) for r in rows), 60) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
             for r in rows]
    lines.append(summary(report))
    return "\n".join(lines)


def summary(report: Report) -> str:
    counts = {k: 0 for k in ("ready", "existing", "incomplete", "unsupported")}
    for sugg in report.suggestions:
        counts[status(sugg)] += 1
    parts = ", ".join(f"{n} {k}" for k, n in counts.items())
    return (f"{len(report.suggestions)} deprecated object(s): {parts}; {report.files_scanned} "
            f"file(s) scanned, {report.files_parsed} parsed, {len(report.problems)} not "
            "scanned")
