"""Embedded examples, collected and checked: every rule kind's, every bundled codemod's and
every codemod of the project's own folder (``[project] codemods``). What ``phasegate codemods
test`` runs, and what the project's tests collect."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from ..config.kinds import KINDS
from ..discover import module_name
from ..errors import EXIT_USAGE, MigrationError
from ..semantics.analyze import analyze_source
from ..semantics.rule_index import RuleIndex
from . import codemods as registry
from .engine import rewrite_source
from .model import Example


@dataclass(frozen=True)
class Case:
    id: str  # "<codemod or kind>:<example id>"
    example: Example
    codemods: Path | None = None  # the project folder the codemod comes from


def codemod_cases(project: Path | None = None) -> list[Case]:
    """Every bundled codemod's examples, then the project's codemods' (by id)."""
    out = [Case(f"{name}:{eid}", ex) for name in registry.names()
           for eid, ex in registry.load(name).EXAMPLES.items()]
    for name, path in (registry.project_files(project) if project else {}).items():
        try:
            examples = getattr(registry.load(name, str(path)), "EXAMPLES", {})
        except Exception as exc:  # noqa: BLE001 - the user's module: say which and why
            raise MigrationError(f"{path}: cannot import the codemod: "
                                 f"{type(exc).__name__}: {exc}", EXIT_USAGE) from None
        out += [Case(f"{name}:{eid}", ex, project) for eid, ex in examples.items()]
    return out


def kind_cases() -> list[Case]:
    return [Case(f"{kind.name}:{eid}", ex) for kind in KINDS for eid, ex in kind.examples.items()]


def run(case: Case, source: str) -> tuple[str, list[str]]:
    """The example's rule applied to ``source``: the new text and the manual reasons."""
    ex = case.example
    module, is_pkg = module_name(ex.path)
    rule = ex.build_rule(codemods=case.codemods)
    outcome = rewrite_source(source.encode(), ex.path, module, is_pkg, [rule])
    return outcome.after.decode(), sorted(s.reason for s in outcome.manual)


def fixable_left(case: Case, source: str) -> list[str]:
    """What detect (the shared semantic model) still calls fixable in ``source``."""
    ex = case.example
    module, is_pkg = module_name(ex.path)
    index = RuleIndex.build([ex.build_rule(codemods=case.codemods)])
    found, _ = analyze_source(source.encode(), ex.path, module, is_pkg, index)
    return [f"{v.line}:{v.col} {v.kind}" for v in found if v.fixable]


def check(case: Case) -> str:
    """'' when the example holds: the expected text and reasons, valid Python, nothing fixable
    left for detect, and a second run that changes nothing; else what went wrong."""
    ex = case.example
    try:
        after, manual = run(case, ex.before)
        if after != ex.after:
            return f"expected {ex.after!r}, got {after!r}"
        if manual != sorted(ex.manual):
            return f"expected manual {sorted(ex.manual)!r}, got {manual!r}"
        ast.parse(after)
        left = fixable_left(case, after)
        if left:
            return f"detect still finds fixable sites after the rewrite: {', '.join(left)}"
        again, _ = run(case, after)
    except Exception as exc:  # noqa: BLE001 - a broken example is a failed example
        return f"{type(exc).__name__}: {exc}"
    return "" if again == after else "a second run changed the output"
