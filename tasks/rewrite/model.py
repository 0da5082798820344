"""Plain values the rewrite engine returns: sites (rewritten or left to a person) per file."""

from __future__ import annotations

import difflib
import io
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Rule, validate


@dataclass(frozen=True, order=True)
class Site:
    """One place a rule concerned: rewritten (reason '') or left to a person (with the reason).

    ``line``/``col`` are 1-based, ``col`` in characters: the same place detect reports.
    """

    path: str
    line: int
    col: int
    rule: str
    kind: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "col": self.col, "rule": self.rule,
                "kind": self.kind, "reason": self.reason}


@dataclass
class FileOutcome:
    """What one worker did to one file; never an exception (``failure`` says why instead)."""

    path: str
    before: bytes
    after: bytes
    rewritten: list[Site] = field(default_factory=list)
    manual: list[Site] = field(default_factory=list)
    failure: str = ""
    # "splice": the imports were spliced without libcst (rewrite/splice.py); "statements":
    # libcst saw only the statements the rules can concern (rewrite/holes.py); "file": the
    # whole file; "": no rewrite ran
    engine: str = ""
    # the import sorter's check of ``after`` is the caller's to run (one ruff process per
    # file, many at a time: plan.py), then ``sorting.keep_sorted``
    sort_pending: bool = False
    # with ``sort_pending``: the 0-based lines changed that cannot unsort a sorted block
    # (harmless.harmless_lines, from the worker's tree), None when not known
    harmless: frozenset[int] | None = None
    # the unified diff of ``before`` -> ``after`` (unified_diff), when the caller wants it
    # shown and ``after`` is final: made in the worker, not one file after another at the end
    diff: str = ""


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """A unified diff of the file (decoded with its own encoding, for display only)."""
    lines = difflib.unified_diff(_text(before).splitlines(keepends=True),
                                 _text(after).splitlines(keepends=True), f"a/{path}", f"b/{path}")
    eof = "\n\\ No newline at end of file\n"
    return "".join(ln if ln.endswith(("\n", "\r")) else ln + eof for ln in lines)


def _text(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, "replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", "replace")


@dataclass(frozen=True)
class Example:
    """An embedded before/after example: the rule's own spec, collected by one test.

    ``rule`` holds the phases.toml keys of the rule (``kind``, ``old``, ``new``, ...);
    ``manual`` lists the reasons of the sites expected to be left to a person.
    """

    rule: dict[str, Any]
    before: str
    after: str
    path: str = "pkg/mod.py"
    manual: tuple[str, ...] = ()

    def build_rule(self, rule_id: str = "example", codemods: Path | None = None) -> Rule:
        """The example's rule, validated exactly as phases.toml would be (``codemods``: the
        project's codemods folder, for an example of a project codemod)."""
        project: dict[str, Any] = {"root": "."}
        where = Path.cwd()
        if codemods is not None:
            project["codemods"], where = codemods.name, codemods.parent
        config = validate({"project": project, "rules": {rule_id: dict(self.rule)}},
                          where / "phases.toml")
        return config.rules[rule_id]
