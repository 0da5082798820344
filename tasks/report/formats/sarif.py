"""``--format sarif``: SARIF 2.1.0 for code scanning (GitHub, GitLab, IDE viewers).

Levels: every violation is a ``warning``. A manual site is not demoted to ``note``: it is the
one a person must act on before its phase can complete, and viewers hide notes by default.
Whether a site is fixable is in ``properties.fixable`` (and ``properties.reason`` says why not).

``partialFingerprints["phasegate/v1"]`` hashes the rule, the path, the kind, the name, the
text of the line (whitespace-trimmed) and the site's rank among identical ones in the file, so a
finding keeps its fingerprint when lines above it are added or removed.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ... import __version__
from ...config import Config, Rule
from ...model import DetectResult, FileProblem, Violation
from ..tally import message, problem_line, repo_base
from . import FORMATS, ReportFormat

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "phasegate/v1"


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    short = rule.message or f"'{rule.old or rule.codemod}' is deprecated"
    target = f"Use '{rule.new}' instead." if rule.new else "Rewrite it by hand."
    sentence = short if short.endswith((".", "!", "?")) else short + "."
    help_text = f"{sentence} {target} (phasegate rule kind: {rule.kind})"
    olds = ", ".join(f"`{o}`" for o in rule.olds) or f"codemod `{rule.codemod}`"
    deprecated = ", ".join(rule.olds) or f"codemod {rule.codemod}"
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": short},
        "fullDescription": {"text": f"{short} (deprecated: {deprecated})"},
        "help": {"text": help_text,
                 "markdown": f"{sentence}\n\nDeprecated: {olds}." + (
                     f" Use `{rule.new}` instead." if rule.new else "")},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"kind": rule.kind, "tags": ["deprecation", "phasegate"]},
    }


def _line_text(root: Path, rel: str, line: int, cache: dict[str, list[bytes]]) -> bytes:
    if rel not in cache:
        try:
            cache[rel] = (root / rel).read_bytes().splitlines()
        except OSError:
            cache[rel] = []
    lines = cache[rel]
    return lines[line - 1].strip() if 0 < line <= len(lines) else str(line).encode()


def fingerprints(root: Path, violations: list[Violation]) -> list[str]:
    """One stable fingerprint per violation (see the module docstring)."""
    cache: dict[str, list[bytes]] = {}
    seen: Counter[bytes] = Counter()
    out = []
    for v in violations:
        key = b"\0".join([v.rule.encode(), v.path.encode(), v.kind.encode(), v.name.encode(),
                          _line_text(root, v.path, v.line, cache)])
        seen[key] += 1
        out.append(hashlib.sha256(key + b"\0%d" % seen[key]).hexdigest()[:32])
    return out


def _location(uri: str, line: int, col: int = 0) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": max(line, 1)}
    if col:
        region["startColumn"] = col
    return {"physicalLocation": {
        "artifactLocation": {"uri": quote(uri), "uriBaseId": "%SRCROOT%"},
        "region": region}}


def result_entry(v: Violation, index: int, prefix: str, fingerprint: str) -> dict[str, Any]:
    text = message(v) if v.fixable else f"{message(v)} (manual: {v.reason or 'needs a person'})"
    return {
        "ruleId": v.rule,
        "ruleIndex": index,
        "level": "warning",
        "message": {"text": text},
        "locations": [_location(prefix + v.path, v.line, v.col)],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {"phase": v.phase, "kind": v.kind, "name": v.name,
                       "fixable": v.fixable, "reason": v.reason},
    }


def notification(p: FileProblem, prefix: str) -> dict[str, Any]:
    """A file that was not scanned: the run is incomplete there, so it is an error."""
    return {"level": "error", "message": {"text": problem_line(p)},
            "locations": [_location(prefix + p.path, p.line)]}


def document(result: DetectResult, config: Config) -> dict[str, Any]:
    rules = list(config.rules.values())
    index = {r.id: i for i, r in enumerate(rules)}
    base, prefix = repo_base(config.root)
    prints = fingerprints(config.root, result.violations)
    run = {
        "tool": {"driver": {"name": "phasegate", "version": __version__,
                            "rules": [rule_descriptor(r) for r in rules]}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [notification(p, prefix) for p in result.problems],
        }],
        "results": [result_entry(v, index.get(v.rule, -1), prefix, fp)
                    for v, fp in zip(result.violations, prints, strict=True)],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(result: DetectResult, config: Config) -> str:
    return json.dumps(document(result, config), indent=2, ensure_ascii=False) + "\n"


FORMATS.register(ReportFormat(
    "sarif", "SARIF 2.1.0, for code-scanning dashboards",
    lambda result, config, _t: render_sarif(result, config), order=40))
