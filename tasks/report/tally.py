"""The numbers every report format shows: counts per rule x phase, files pending, the summary.

One place computes them so the table, markdown, JSON and SARIF outputs can never disagree.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..model import UNASSIGNED, DetectResult, FileProblem, Violation

UNPARSEABLE = "unparseable"


@dataclass(frozen=True)
class Tally:
    """A migration tracker's numbers (plain values; rules and phases in declaration order)."""

    rules: tuple[str, ...]
    phases: tuple[str, ...]  # declared phases, then "unassigned" when anything landed there
    titles: dict[str, str]
    counts: dict[str, dict[str, int]]  # rule -> phase -> violations now
    rule_files: dict[str, int]  # rule -> files that still have one of its violations
    phase_files: dict[str, tuple[str, ...]]  # phase -> files pending, sorted
    baseline: dict[str, int] = field(default_factory=dict)  # rule -> count recorded
    before: dict[str, int] = field(default_factory=dict)  # phase -> count before it migrated

    def rule_total(self, rule: str) -> int:
        return sum(self.counts[rule].values())

    def phase_total(self, phase: str) -> int:
        return sum(row[phase] for row in self.counts.values())

    def grown(self, rule: str) -> int:
        """How far a rule's count is above its baseline (0 when not above or not recorded)."""
        if rule not in self.baseline:
            return 0
        return max(0, self.rule_total(rule) - self.baseline[rule])


def tally(result: DetectResult, config: Config, *, baseline: dict[str, int] | None = None,
          before: dict[str, int] | None = None) -> Tally:
    """Count ``result`` per rule and phase; every configured rule and phase gets a row/column."""
    rules = list(config.rules)
    rules += sorted({v.rule for v in result.violations} - set(rules))
    phases = [p.id for p in config.phases]
    extra = sorted({v.phase for v in result.violations} - set(phases) - {UNASSIGNED})
    if any(v.phase == UNASSIGNED for v in result.violations):
        extra.append(UNASSIGNED)
    phases += extra
    counts = {r: dict.fromkeys(phases, 0) for r in rules}
    rule_files: dict[str, set[str]] = defaultdict(set)
    phase_files: dict[str, set[str]] = defaultdict(set)
    for v in result.violations:
        counts[v.rule][v.phase] += 1
        rule_files[v.rule].add(v.path)
        phase_files[v.phase].add(v.path)
    return Tally(
        rules=tuple(rules), phases=tuple(phases),
        titles={p.id: p.title for p in config.phases if p.title and p.title != p.id},
        counts=counts,
        rule_files={r: len(rule_files[r]) for r in rules},
        phase_files={p: tuple(sorted(phase_files[p])) for p in phases},
        baseline=dict(baseline or {}), before=dict(before or {}),
    )


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def is_unparseable(problem: FileProblem) -> bool:
    return problem.reason.startswith(UNPARSEABLE)


def summary(result: DetectResult) -> dict[str, int]:
    """The counts the summary line and the JSON ``summary`` object share."""
    found = result.violations
    fixable = sum(1 for v in found if v.fixable)
    unparseable = {p.path for p in result.problems if is_unparseable(p)}
    return {
        "violations": len(found),
        "fixable": fixable,
        "manual": len(found) - fixable,
        "files": len({v.path for v in found}),
        "phases": len({v.phase for v in found} - {UNASSIGNED}),
        "unassigned": sum(1 for v in found if v.phase == UNASSIGNED),
        "unparseable": len(unparseable),
        "not_scanned": len({p.path for p in result.problems} - unparseable),
        "files_scanned": result.files_scanned,
        "files_parsed": result.files_parsed,
        "cache_hits": result.cache_hits,
    }


def summary_line(result: DetectResult) -> str:
    """'63 violations (51 fixable, 12 manual) in 27 files across 3 phases; 0 files unparseable'."""
    s = summary(result)
    line = (f"{plural(s['violations'], 'violation')} ({s['fixable']} fixable, {s['manual']} "
            f"manual) in {plural(s['files'], 'file')} across {plural(s['phases'], 'phase')}")
    if s["unassigned"]:
        line += f" ({s['unassigned']} unassigned)"
    line += f"; {plural(s['unparseable'], 'file')} unparseable"
    if s["not_scanned"]:
        line += f"; {plural(s['not_scanned'], 'other file')} not scanned"
    return line


def message(v: Violation) -> str:
    """The rule's message, or a plain one when the rule has none."""
    return v.message or f"'{v.name}' is deprecated"


def violation_line(v: Violation) -> str:
    """``path:line:col: rule [kind] message (phase, fixable|manual: reason)``."""
    how = "fixable" if v.fixable else f"manual: {v.reason or 'needs a person'}"
    return f"{v.path}:{v.line}:{v.col}: {v.rule} [{v.kind}] {message(v)} ({v.phase}, {how})"


def problem_line(problem: FileProblem) -> str:
    where = f"{problem.path}:{problem.line}" if problem.line else problem.path
    return f"{where}: {problem.reason}"


def per_file(violations: list[Violation]) -> dict[str, tuple[int, int]]:
    """path -> (violations, of which fixable), for pending-file lists."""
    total: Counter[str] = Counter()
    fixable: Counter[str] = Counter()
    for v in violations:
        total[v.path] += 1
        fixable[v.path] += v.fixable
    return {path: (total[path], fixable[path]) for path in sorted(total)}


def repo_base(root: Path) -> tuple[Path, str]:
    """The directory paths in CI annotations are relative to, and the root's prefix under it.

    GitHub resolves annotation and SARIF paths against the checkout (``GITHUB_WORKSPACE``);
    elsewhere the current directory plays that part. A root outside it keeps root-relative
    paths (prefix '').
    """
    base = Path(os.environ.get("GITHUB_WORKSPACE") or os.getcwd()).resolve()
    root = root.resolve()
    try:
        rel = root.relative_to(base).as_posix()
    except ValueError:
        return root, ""
    return base, "" if rel == "." else rel + "/"
