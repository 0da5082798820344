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
import bisect
import keyword
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..config import Rule
from ..model import Violation
from ..semantics.rule_index import RuleIndex
from ..semantics.scopes import resolve_relative
from .model import FileOutcome, Site
from .renames import import_uses, in_type_strings

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_RELATIVE = re.compile(rb"(?<![A-Za-z0-9_])from[\s\\]*\.")
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)
_ALIAS = rf"{_NAME}(?: as {_NAME})?"
_LINE = re.compile(
    rf"(?P<indent>[ \t]*)from (?P<module>{_NAME}(?:\.{_NAME})*) import "
    rf"(?P<names>{_ALIAS}(?:, {_ALIAS})*)(?P<rest>[ \t]*(?:#[^\r\n]*)?)(?P<end>\r?\n|)")
_MODULE_AT = re.compile(rb"from[ \t]+(?P<module>[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)"
                        rb"[ \t]+import(?![A-Za-z0-9_])")
_SPACES = re.compile(rb"[ \t]+")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

Edit = tuple[int, int, bytes]  # absolute byte span and its new bytes


@dataclass
class _Alias:
    name: str
    asname: str | None
    start: int  # absolute byte offsets of ``name [as asname]``
    end: int
    text: bytes  # as written
    comma: bytes  # the bytes up to the next alias (b"" for the last)


@dataclass
class _Stmt:
    """One ``from M import ...`` statement with sites, as its bytes spell it."""

    module: str
    module_span: tuple[int, int]
    aliases: list[_Alias]
    first: int  # its first and last line
    last: int
    node: ast.ImportFrom | None = None
    module_text: bytes = b""  # the module as written
    # a one-line statement that may be split: where its names are, where its line ends, its
    # indentation and the newline a new line takes (the file's first, as libcst writes)
    split: tuple[int, int, int, bytes, bytes] | None = None


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
    starts = _line_starts(data)
    tree: ast.Module | None = None
    stmts = _one_line_statements(data, starts, found)
    if stmts is None:
        tree = _parse(data, parsed)
        stmts = _statements(data, starts, found, tree) if tree is not None else None
        if stmts is None:
            return None
    changes: list[tuple[_Stmt, _Change]] = []
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
        tree = _parse(data, parsed)
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
        uses = _check_tree(data, starts, tree, [s for s, _ in changes], renamed, targets,
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


def _line_starts(data: bytes) -> list[int]:
    """The offset where each line starts, and the end of the data last."""
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _parse(data: bytes, parsed: ast.Module | None) -> ast.Module | None:
    """The file's tree (``parsed`` when the caller had it), when its columns are byte offsets
    into its lines (else None)."""
    if not _utf8_offsets(data):
        return None
    if parsed is not None:
        return parsed
    try:
        return ast.parse(data)
    except (SyntaxError, ValueError, RecursionError):
        return None


def _one_line_statements(data: bytes, starts: list[int], found: list[Violation]
                         ) -> list[tuple[_Stmt, int]] | None:
    """Each site line as a one-line statement written as libcst writes it back, with its
    number of sites; None when a site line is not one."""
    first = re.search(rb"\r\n|\r|\n", data)
    newline = first.group() if first is not None else b"\n"
    by_line: dict[int, int] = {}
    for v in found:
        by_line[v.line] = by_line.get(v.line, 0) + 1
    out = []
    for number, sites in sorted(by_line.items()):
        if number >= len(starts):
            return None
        base = starts[number - 1]
        match = _LINE.fullmatch(data[base:starts[number]].decode("latin-1"))
        if match is None:
            return None
        aliases = []
        at = base + match.start("names")
        for text in match["names"].split(", "):
            name, _, asname = text.partition(" as ")
            aliases.append(_Alias(name, asname or None, at, at + len(text),
                                  text.encode("latin-1"), b", "))
            at += len(text) + 2
        aliases[-1].comma = b""
        span = (base + match.start("module"), base + match.end("module"))
        stmt = _Stmt(match["module"], span, aliases, number, number,
                     module_text=match["module"].encode())
        continued = data[max(base - 3, 0):base].rstrip(b"\r\n").endswith(b"\\")
        if match["end"] and not continued:
            stmt.split = (base + match.start("names"), base + match.end("names"), starts[number],
                          match["indent"].encode("latin-1"), newline)
        out.append((stmt, sites))
    return out


def _statements(data: bytes, starts: list[int], found: list[Violation], tree: ast.Module
                ) -> list[tuple[_Stmt, int]] | None:
    """The absolute ``from`` imports holding the sites, read from the tree, with their number
    of sites; None when a site lies elsewhere or a statement is not read with certainty."""
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    out: dict[int, tuple[_Stmt, int]] = {}
    for v in found:
        holding = [n for n in imports if n.lineno <= v.line <= (n.end_lineno or n.lineno)]
        if len(holding) != 1:
            return None
        node = holding[0]
        if id(node) not in out:
            stmt = _read(data, starts, node)
            if stmt is None:
                return None
            out[id(node)] = (stmt, 0)
        out[id(node)] = (out[id(node)][0], out[id(node)][1] + 1)
    lines = sorted((s.first, s.last) for s, _ in out.values())
    if any(a[1] >= b[0] for a, b in zip(lines, lines[1:], strict=False)):
        return None  # two statements on one line (``;``)
    return list(out.values())


def _read(data: bytes, starts: list[int], node: ast.ImportFrom) -> _Stmt | None:
    if node.level or not node.module or node.end_lineno is None:
        return None
    at = starts[node.lineno - 1] + node.col_offset
    match = _MODULE_AT.match(data, at)
    if match is None or _SPACES.sub(b"", match["module"]) != node.module.encode():
        return None
    aliases: list[_Alias] = []
    for a in node.names:
        if a.end_lineno is None or a.end_col_offset is None:
            return None
        start = starts[a.lineno - 1] + a.col_offset
        end = starts[a.end_lineno - 1] + a.end_col_offset
        if not data.startswith(a.name.encode(), start):
            return None
        aliases.append(_Alias(a.name, a.asname, start, end, data[start:end], b""))
    for one, following in zip(aliases, aliases[1:], strict=False):
        one.comma = data[one.end:following.start]
    return _Stmt(node.module, match.span("module"), aliases, node.lineno, node.end_lineno, node,
                 match["module"])


def _change(index: RuleIndex, stmt: _Stmt, sites: int) -> _Change | None:
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


def _merge(data: bytes, starts: list[int], tree: ast.Module, stmt: _Stmt,
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
    match = _LINE.fullmatch(data[starts[node.lineno - 1]:starts[node.lineno]].decode("latin-1"))
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


def _check_tree(data: bytes, starts: list[int], tree: ast.Module, stmts: list[_Stmt],
                renamed: dict[str, str], targets: set[str], package: str,
                merged: set[int]) -> list[Edit] | None:
    """The edits renaming every use of a renamed name; None when a name is bound in any other
    way, or another import of the file concerns a module the statements move to (or rename
    in)."""
    top = {node.lineno: node for node in _module_level(tree.body)
           if isinstance(node, ast.ImportFrom)}
    ours: set[int] = set()
    for stmt in stmts:
        node = stmt.node or top.get(stmt.first)
        if node is None or node.level or node.module != stmt.module or \
                (renamed and top.get(stmt.first) is not node):
            return None  # not the statement read, or a rename below module level
        ours.add(id(node))
    edits: list[Edit] = []
    if renamed:
        if in_type_strings(tree, set(renamed)):
            return None  # libcst reads the name in a string as a type: it keeps it bound
        uses = import_uses(tree, set(renamed), _hot_lines(data, starts, set(renamed)))
        if uses is None:
            return None
        bound_at = {a.name: starts[s.first - 1] for s in stmts for a in s.aliases}
        for node in uses:
            if node.end_lineno != node.lineno or node.end_col_offset is None:
                return None
            start = starts[node.lineno - 1] + node.col_offset
            if data[start:starts[node.lineno - 1] + node.end_col_offset] != node.id.encode():
                return None
            if start < bound_at[node.id]:
                return None  # libcst ties a use before the import to nothing (its scope order)
            edits.append((start, start + len(node.id), renamed[node.id].encode()))
    for node in _walk(tree.body, _hot_lines(data, starts, {"import"})):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if id(node) in merged:
            if _concerns(node, renamed, set(), package):
                return None
        elif id(node) not in ours and _concerns(node, renamed, targets, package):
            return None
    return edits


def _concerns(node: ast.Import | ast.ImportFrom, renamed: dict[str, str], targets: set[str],
              package: str) -> bool:
    """Whether another import is one the libcst engine may merge into or reuse (a ``from``
    import from a target module), binds a renamed name, or is a star import while names are
    renamed. A plain ``import``, or a ``from`` import of the target module itself, binds no
    name a ``from`` import could reuse."""
    if isinstance(node, ast.Import):
        return any((a.asname or a.name.split(".")[0]) in renamed for a in node.names)
    base = resolve_relative(node.module or "", node.level, package)
    if base is None or (renamed and any(a.name == "*" for a in node.names)):
        return True
    if any((a.asname or a.name) in renamed for a in node.names):
        return True
    return base in targets


def _hot_lines(data: bytes, starts: list[int], words: set[str]) -> list[int]:
    """The numbers of the lines that spell one of ``words`` as a whole word, sorted."""
    pattern = re.compile(rb"(?<![A-Za-z0-9_])(?:" + b"|".join(
        re.escape(w.encode()) for w in sorted(words)) + rb")(?![A-Za-z0-9_])")
    return sorted({bisect.bisect_right(starts, m.start()) for m in pattern.finditer(data)})


def _walk(body: list[ast.stmt], hot: list[int]) -> Iterator[ast.AST]:
    """Every node of the statements that span a hot line, at any depth, skipping the
    statements (and blocks) that do not: a name, its bindings and every import spell a hot
    word on their own line."""
    for stmt in body:
        decorators = getattr(stmt, "decorator_list", None) or ()
        first = min([stmt.lineno] + [d.lineno for d in decorators])
        at = bisect.bisect_left(hot, first)
        if at == len(hot) or hot[at] > (stmt.end_lineno or stmt.lineno):
            continue
        yield stmt
        for name, value in ast.iter_fields(stmt):
            if name in ("body", "orelse", "finalbody"):
                yield from _walk(value, hot)
            elif name in ("handlers", "cases"):
                for part in value:
                    yield part
                    for inner, sub in ast.iter_fields(part):
                        if inner == "body":
                            yield from _walk(sub, hot)
                        else:
                            yield from _walk_expr(sub)
            else:
                yield from _walk_expr(value)


def _walk_expr(value: object) -> Iterator[ast.AST]:
    if isinstance(value, ast.AST):
        yield from ast.walk(value)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, ast.AST):
                yield from ast.walk(item)


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run in the module's scope, at any depth of if/try/with/for/match."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, _SCOPES):
            continue
        inner: list[ast.stmt] = []
        for name in ("body", "orelse", "finalbody"):
            inner += getattr(stmt, name, None) or []
        for part in getattr(stmt, "handlers", None) or getattr(stmt, "cases", None) or []:
            inner += part.body
        yield from _module_level(inner)


def _utf8_offsets(data: bytes) -> bool:
    """Whether ast's columns (UTF-8 byte offsets) are byte offsets into ``data``'s lines: the
    file is ASCII, or UTF-8 without a BOM or another encoding's cookie."""
    if data.isascii():
        return True
    if data.startswith(b"\xef\xbb\xbf"):
        return False
    head = b"\n".join(data.split(b"\n", 2)[:2])
    cookie = _COOKIE.search(head)
    if cookie is not None and cookie.group(1).lower().replace(b"_", b"-") not in (
            b"utf-8", b"utf8"):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
