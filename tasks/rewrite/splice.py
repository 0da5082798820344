"""The commonest rewrite as a byte splice, without libcst: a one-line ``from M import a, b``
whose every name a ``move`` rule moves to the same module N under the same name becomes
``from N import a, b``, its indentation, trailing comment and line end kept.

Detect's analysis of the file decides whether the splice applies: every site detect found is a
fixable ``import`` site on such a line, one per name, nothing left to a person. The line must
be written the way the libcst engine writes it back (single spaces, ``, `` between names, no
parentheses, continuation or ``;``), the names must be unique across the lines spliced, at most
one line may move to each N, and the file must not mention N's last part anywhere else (an
existing import of N is merged into by the libcst engine, not spliced), hold no relative import
(``from . import x`` may be N without spelling it) nor be N itself. Anything
else returns None and the file goes to the libcst engines. The differential test
(``tests/tasks/rewrite/test_holes.py``) holds the splice to the whole-file engine's bytes and
sites on every case it applies to.
"""

from __future__ import annotations

import re

from ..config import Rule
from ..model import Violation
from ..semantics.rule_index import RuleIndex
from .model import FileOutcome, Site

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_RELATIVE = re.compile(rb"(?<![A-Za-z0-9_])from[\s\\]*\.")
_ALIAS = rf"{_NAME}(?: as {_NAME})?"
_LINE = re.compile(
    rf"(?P<indent>[ \t]*)from (?P<module>{_NAME}(?:\.{_NAME})*) import "
    rf"(?P<names>{_ALIAS}(?:, {_ALIAS})*)(?P<rest>[ \t]*(?:#[^\r\n]*)?)(?P<end>\r?\n|)")


def splice(data: bytes, path: str, module: str, rules: list[Rule] | tuple[Rule, ...],
           found: list[Violation]) -> FileOutcome | None:
    """The rewritten file, or None when the splice does not apply (see the module doc)."""
    if not found or any(v.kind != "import" or not v.fixable or v.reason for v in found):
        return None
    if _RELATIVE.search(data):
        return None  # ``from . import x`` may name the new module without spelling it
    index = RuleIndex.build(list(rules))
    lines = data.splitlines(keepends=True)
    by_line: dict[int, list[Violation]] = {}
    for v in found:
        by_line.setdefault(v.line, []).append(v)
    new_lines: dict[int, bytes] = {}
    targets: set[str] = set()
    names: set[str] = set()
    for number, sites in by_line.items():
        if number > len(lines):
            return None
        match = _LINE.fullmatch(lines[number - 1].decode("latin-1"))
        if match is None:
            return None
        target = _target(index, match["module"], match["names"], len(sites))
        if target is None or target in targets or target == module:
            return None
        moved = [n.split(" as ")[0] for n in match["names"].split(", ")]
        if names.intersection(moved) or len(set(moved)) != len(moved):
            return None
        targets.add(target)
        names.update(moved)
        new_lines[number] = (f"{match['indent']}from {target} import {match['names']}"
                             f"{match['rest']}{match['end']}").encode("latin-1")
    words = {t.rsplit(".", 1)[-1] for t in targets}
    pattern = re.compile(rb"(?<![A-Za-z0-9_])(?:" + b"|".join(
        re.escape(w.encode()) for w in sorted(words)) + rb")(?![A-Za-z0-9_])")
    if any(pattern.search(line) for n, line in enumerate(lines, 1) if n not in new_lines):
        return None
    after = b"".join(new_lines.get(n, line) for n, line in enumerate(lines, 1))
    rewritten = sorted({Site(path, v.line, v.col, v.rule, v.kind) for v in found})
    return FileOutcome(path, data, after, rewritten, [], engine="splice")


def _target(index: RuleIndex, module: str, names: str, sites: int) -> str | None:
    """The one module every name of ``from module import names`` moves to under its own name,
    when each name is one site; else None."""
    if index.module_rule(module) is not None:
        return None  # a module rule's from-import is one site for the statement
    aliases = names.split(", ")
    if len(aliases) != sites:
        return None
    target = None
    for alias in aliases:
        name = alias.split(" as ")[0]
        full = f"{module}.{name}"
        rule_id = index.members.get(full)
        if rule_id is None or full in index.modules:
            return None
        rule = index.rule(rule_id)
        new_module, _, new_name = rule.new.rpartition(".")
        if rule.kind != "move" or new_name != name or not new_module or \
                target not in (None, new_module):
            return None
        target = new_module
    return target
