"""The commonest rewrites as byte splices, without libcst: ``from M import ...`` statements
whose banned names ``move`` rules send to one module N, and, when a name is renamed, every use
of it in the file.

Two shapes of statement apply:

* a **move**: every name of the statement moves to the same module N (N is not M), each under
  the name its rule gives it: ``from N import a2, b2 as c``;
* a **rename in place**: the banned names stay in M under new names, names no rule concerns
  stay as they are: ``from M import a2, other``.

Only the module's and the names' bytes change, as the libcst engine changes them (it keeps each
alias's comma, gives a renamed alias the statement's first separator and writes ``as`` with one
space each side, so a renamed alias must already be written that way). A name imported without
``as`` that changes is renamed at every use that reads the import: each such ``Name`` node the
file's ``ast`` gives is replaced at its byte position, the uses chosen through Python's scopes
(:mod:`.renames`: a function's own variable of that name is not the import). That needs the
import at module level, no other binding of the name at module level and no other import of
it, no star import that may bring it in, and its new name spelled nowhere in the file (no
merge with, or shadowing by, an existing name); :mod:`.renames` lists what else it leaves to
libcst.

Detect's analysis of the file decides whether a splice can apply: every site detect found is a
fixable ``import`` site of an absolute ``from`` import, one per banned name, nothing left to a
person (a string annotation or ``__all__`` entry makes a site of its own, and the file goes to
libcst). Also, at most one statement may move to each N, the names must be unique across the
statements spliced, no other import of the file may concern N (moves) or M (renames in place):
the libcst engine merges into it; the file is not N itself and has no form feed starting a line
(libcst drops it). ``ast`` parses the file only when a name is renamed, a statement spans lines,
the file has a relative import, or a line outside the statements spells N's (M's) last part;
else each statement is one line written as libcst writes it back, matched by a pattern.
Anything else returns None and the file goes to the libcst engines. The differential test
(``tests/tasks/rewrite/test_holes.py``) holds the splice to the whole-file engine's bytes and
sites on every case it applies to.
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass, field

from ..config import Rule
from ..model import Violation
from ..semantics.rule_index import RuleIndex
from .fromlines import LINE, Stmt, line_starts, one_line_statements, parse_tree, statements
from .model import FileOutcome, Site
from .renames import Edit, rename_edits

_RELATIVE = re.compile(rb"(?<![A-Za-z0-9_])from[\s\\]*\.")

@dataclass
class _Change:
    """What the splice does to one statement."""

    target: str  # N (M for a rename in place)
    edits: list[Edit]
    renamed: dict[str, str] = field(default_factory=dict)  # local name -> its new name
    news: set[str] = field(default_factory=set)  # names imported under a new name
    moved: list[bytes] = field(default_factory=list)  # the aliases written for N
    pairs: list[tuple[str, str | None]] = field(default_factory=list)  # (name, asname) in N
    whole: bool = False  # every name of the statement moves to N


def splice(data: bytes, path: str, module: str, package: str,
           rules: list[Rule] | tuple[Rule, ...], found: list[Violation],
           parsed: ast.Module | None = None) -> FileOutcome | None:
    """The rewritten file, or None when no splice applies (see the module doc). ``parsed``:
    the file's tree, when the caller has it."""
    if not found or any(v.kind != "import" or not v.fixable or v.reason for v in found):
        return None
    if b"\x0c" in data:
        return None  # the libcst engine drops a form feed that starts a line
    if b"\r" in data and b"\r" in data.replace(b"\r\n", b""):
        return None  # nor does it keep lone CR line ends
    index = RuleIndex.build(list(rules))
    starts = line_starts(data)
    tree: ast.Module | None = None
    stmts = one_line_statements(data, starts, found)
    if stmts is None:
        tree = parse_tree(data, parsed)
        stmts = statements(data, starts, found, tree) if tree is not None else None
        if stmts is None:
            return None
    changes: list[tuple[Stmt, _Change]] = []
    names: set[str] = set()
    for stmt, sites in stmts:
        change = _change(index, stmt, sites)
        if change is None or change.target == module:
            return None
        moved = [a.name for a in stmt.aliases]
        if names.intersection(moved) or len(set(moved)) != len(moved):
            return None
        names.update(moved)
        changes.append((stmt, change))
    moves = [c.target for s, c in changes if c.target != s.module]
    twice = {t for t in moves if moves.count(t) > 1}
    if any(c.target in twice and not c.whole for _, c in changes):
        return None  # libcst keeps two whole statements moving to N apart, nothing more
    news = {w for _, c in changes for w in c.news}
    if news and _spelled(data, news, []):
        return None  # the new name exists already: the libcst engine merges or aliases
    renamed = {old: new for _, c in changes for old, new in c.renamed.items()}
    targets = {c.target for _, c in changes}
    spans = [(starts[s.first - 1], starts[s.last]) for s, _ in changes]
    words = {t.rsplit(".", 1)[-1] for t in targets}
    if tree is None and (renamed or _RELATIVE.search(data) or _spelled(data, words, spans)):
        tree = parse_tree(data, parsed)
        if tree is None:
            return None
    merged: set[int] = set()
    if tree is not None:
        for stmt, change in changes:
            into = _merge(data, starts, tree, stmt, change) \
                if change.target != stmt.module else None
            if into is not None:
                if change.target in twice:
                    return None
                merged.add(id(into))
    edits = [e for _, c in changes for e in c.edits]
    if tree is not None:
        uses = rename_edits(data, starts, tree, [s for s, _ in changes], renamed, targets,
                           package, merged)
        if uses is None:
            return None
        edits += uses
    out = []
    at = 0
    for start, end, new in sorted(edits):
        if start < at:
            return None  # overlapping edits: never expected, never guessed
        out += [data[at:start], new]
        at = end
    out.append(data[at:])
    rewritten = sorted({Site(path, v.line, v.col, v.rule, v.kind) for v in found})
    return FileOutcome(path, data, b"".join(out), rewritten, [], engine="splice")



def _change(index: RuleIndex, stmt: Stmt, sites: int) -> _Change | None:
    """The splice of one statement whose banned names are ``sites`` sites, or None when it is
    not one of the two shapes or the libcst engine would write more than its names."""
    if index.module_rule(stmt.module) is not None:
        return None  # a module rule's from-import is one site for the statement
    change = _Change("", [])
    banned = 0
    kept: list[bytes] = []
    moved: list[bytes] = []
    for n, a in enumerate(stmt.aliases):
        full = f"{stmt.module}.{a.name}"
        if full in index.modules:
            return None
        rule_id = index.members.get(full)
        if rule_id is None:
            kept.append(a.text)
            continue
        rule = index.rule(rule_id)
        new_module, _, new_name = rule.new.rpartition(".")
        if rule.kind != "move" or not new_module or change.target not in ("", new_module) or \
                not all(_identifier(p) for p in rule.new.split(".")):
            return None
        change.target = new_module
        banned += 1
        moved.append(new_name.encode() + (b"" if a.asname is None else f" as {a.asname}".encode()))
        change.pairs.append((new_name, a.asname))
        if new_name == a.name:
            continue
        if a.asname is not None and a.asname in (a.name, new_name):
            return None  # ``x as x``: what libcst writes back is its own choice
        # libcst writes a renamed alias anew: ``as`` with single spaces, the first separator
        text = a.name if a.asname is None else f"{a.name} as {a.asname}"
        if text.encode() != a.text or \
                (n < len(stmt.aliases) - 1 and a.comma != stmt.aliases[0].comma):
            return None
        change.edits.append((a.start, a.start + len(a.name), new_name.encode()))
        change.news.add(new_name)
        if a.asname is None:
            change.renamed[a.name] = new_name
    if not change.target or banned != sites:
        return None
    change.moved = moved
    if change.target == stmt.module:
        if stmt.module_text != stmt.module.encode():
            return None  # ``from a . b import f``: libcst writes the module anew when no
        return change    # name stays, and keeps it as written when one does
    if not kept:
        change.whole = True
        change.edits.append((*stmt.module_span, change.target.encode()))
        return change
    if stmt.split is None:
        return None  # some names stay, the others move, over several lines: libcst
    # some names stay, the others move: the names that stay keep the line, the others move
    # to a new line right after it, as the libcst engine writes it
    names_start, names_end, line_end, indent, newline = stmt.split
    change.edits = [(names_start, names_end, b", ".join(kept)),
                    (line_end, line_end, indent + b"from " + change.target.encode() + b" import "
                     + b", ".join(moved) + newline)]
    return change


def _identifier(word: str) -> bool:
    """A name a splice may write: swapping one identifier for another keeps the file's
    syntax (so a file that parsed before still parses)."""
    return word.isidentifier() and not keyword.iskeyword(word)


def _spelled(data: bytes, words: set[str], outside: list[tuple[int, int]]) -> bool:
    """Whether ``data`` spells one of ``words`` as a whole word, outside the spans given."""
    if not words:
        return False
    pattern = re.compile(rb"(?<![A-Za-z0-9_])(?:" + b"|".join(
        re.escape(w.encode()) for w in sorted(words)) + rb")(?![A-Za-z0-9_])")
    return any(not any(s <= m.start() < e for s, e in outside)
               for m in pattern.finditer(data))


def _merge(data: bytes, starts: list[int], tree: ast.Module, stmt: Stmt,
           change: _Change) -> ast.ImportFrom | None:
    """When the file already imports from N at module level, as the libcst engine does: the
    moved names are appended to that import's, and the statement's line goes (with its
    comment) when none of its names stay. Only one-line statements, both at the top level
    with no indentation, a line that goes right after a line of code (libcst would drop the
    comments and blank lines above it too); returns the import merged into, after setting
    the change's edits, or None."""
    if stmt.split is None or stmt.first != stmt.last:
        return None
    into = [n for n in tree.body if isinstance(n, ast.ImportFrom) and not n.level
            and n.module == change.target]
    ours = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.lineno == stmt.first]
    if len(into) != 1 or len(ours) != 1 or ours[0].col_offset:
        return None
    node = into[0]
    if node.end_lineno != node.lineno or node.col_offset:
        return None
    match = LINE.fullmatch(data[starts[node.lineno - 1]:starts[node.lineno]].decode("latin-1"))
    if match is None or match["module"] != change.target or match["indent"]:
        return None
    there = {(a.name, a.asname) for a in node.names}
    if any((new, asname) in there for new, asname in change.pairs):
        return None  # imported there already: libcst drops the duplicate
    end = starts[node.lineno - 1] + match.end("names")
    append = (end, end, b", " + b", ".join(change.moved))
    if not change.whole:  # the names that stay keep the line
        change.edits = [change.edits[0], append]
        return node
    if stmt.first > 1:
        above = data[starts[stmt.first - 2]:starts[stmt.first - 1]].strip()
        if not above or above.startswith(b"#"):
            return None
    change.edits = [(starts[stmt.first - 1], starts[stmt.first], b""), append]
    return node
