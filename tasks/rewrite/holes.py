"""Statement-level rewriting: libcst sees only the statements a phase can concern.

A real module is mostly code no rule is about. Before the libcst engine runs, every statement
(at the top level or in any block) that spells none of the phase's *words* is *punched out*:
it becomes one string statement over the same lines (three quotes, a tag and line ends), so
every kept statement stays on its line and column, the engine's sites are where detect reports
them, and libcst parses one string where there was a block of code. The engine runs on that
reduced module; then each hole is *filled* with its original bytes again.

The words are the first and last part of the rules' old and new names and of the names a call
rule imports or spells, the importers of strings (``importlib``, ``__import__``), ``__all__``,
the names the file's imports of those words bind (``import mock as m`` makes ``m`` a word), and
as prefixes the fresh aliases the engine could make (``abc_Iterable``, ``abc_Iterable_2``).
Every import statement is kept. The engine decides from names only (bindings, uses, free names
for aliases, imports already present, ``__all__``), so a statement without any of them cannot
change a decision: it neither binds nor reads a name the engine asks about. A string statement
binds and reads nothing, and a block of them is still a valid block.

Filling is checked, never assumed: every hole must be found exactly once, byte for byte, in the
engine's output; otherwise the caller runs the whole-file engine. The differential test
(``tests/tasks/rewrite/test_holes.py``) runs both engines on every golden case, every codemod
example, the vendored real files and a generated tree, and requires byte-identical output.
"""

from __future__ import annotations

import ast
import bisect
import functools
import hashlib
import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..config import Rule
from ..semantics.analyze import STRING_IMPORTERS

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FORM_FEED = re.compile(rb"^[ \t]*\x0c", re.M)


@dataclass
class Holes:
    """A file with the statements no rule can concern punched out."""

    source: bytes  # what the engine parses
    fills: list[tuple[bytes, bytes]] = field(default_factory=list)  # (hole, original bytes)
    lines: int = 0  # lines of the file
    punched: int = 0  # lines punched out

    def fill(self, after: bytes) -> bytes | None:
        """``after`` (the engine's output on :attr:`source`) with every hole's bytes put back;
        None when a hole is not there exactly once."""
        out = after
        for hole, original in self.fills:
            if out.count(hole) != 1:
                return None
            out = out.replace(hole, original, 1)
        return out


def punch(data: bytes, rules: Iterable[Rule], *, minimum: float = 0.0) -> Holes | None:
    """The reduced file, or None when nothing can be punched out (or less than ``minimum`` of
    the lines), or the file is one this does not handle (lone CR line ends, a form feed in an
    indentation, an encoding that is not ASCII-compatible, a syntax this Python does not
    parse)."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    if _FORM_FEED.search(data):
        return None  # libcst drops a form feed before a statement: only it may decide
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        if "#\n".encode(encoding.replace("utf-8-sig", "utf-8")) != b"#\n":
            return None
        tree = ast.parse(data)
    except (SyntaxError, ValueError, LookupError, RecursionError):
        return None
    lines = data.splitlines(keepends=True)
    rules = tuple(rules)
    words, import_lines = _file_words(tree, _rule_words(rules), rules)
    hot = _hot_lines(data, words, import_lines)
    spans: list[tuple[int, int]] = []
    _punch_body(tree.body, hot, lines, spans)
    spans = _merged(sorted(spans), lines)
    punched = sum(end - start + 1 for start, end in spans)
    if not spans or punched < minimum * len(lines):
        return None
    tag = "phasegate-hole-" + hashlib.sha1(data).hexdigest()[:12]
    if tag.encode() in data:
        return None
    out = list(lines)
    fills: list[tuple[bytes, bytes]] = []
    for n, (start, end) in enumerate(spans):
        first = lines[start - 1]
        indent = first[:len(first) - len(first.lstrip(b" \t"))]
        opening = indent + f'"""{tag}-{n}'.encode()
        if start == end:
            hole = [opening + b'"""' + _ending(first)]
        else:
            hole = [opening + _ending(first), *(_ending(ln) for ln in lines[start:end - 1]),
                    b'"""' + _ending(lines[end - 1])]
        fills.append((b"".join(hole), b"".join(lines[start - 1:end])))
        out[start - 1:end] = hole
    return Holes(b"".join(out), fills, len(lines), punched)


def _merged(spans: list[tuple[int, int]], lines: list[bytes]) -> list[tuple[int, int]]:
    """Holes with only blank or comment lines between them become one (the statements they
    hold bind and read nothing the engine asks about, so the block they end up in does not
    matter; a later hole can only be as deep as, or shallower than, the one before it)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and all(not ln.strip() or ln.lstrip().startswith(b"#")
                       for ln in lines[out[-1][1]:start - 1]):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _ending(line: bytes) -> bytes:
    return line[len(line.rstrip(b"\r\n")):]


def _punch_body(body: list[ast.stmt], hot: list[int], lines: list[bytes],
                spans: list[tuple[int, int]]) -> None:
    """Punch out the statements of ``body`` that spell no word; go into the blocks of the
    compound statements that do."""
    groups: list[tuple[int, int, list[ast.stmt]]] = []
    for stmt in body:  # statements sharing a line (``a = 1; b = 2``) go together
        start = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        end = stmt.end_lineno or stmt.lineno
        if groups and start <= groups[-1][1]:
            groups[-1] = (groups[-1][0], max(end, groups[-1][1]), groups[-1][2] + [stmt])
        else:
            groups.append((start, end, [stmt]))
    cold = [not _any_hot(hot, s, e) and not _pinned(g, s, e, lines) for s, e, g in groups]
    for (start, end, group), punch_it in zip(groups, cold, strict=True):
        if punch_it:
            spans.append((start, end))
            continue
        if len(group) == 1:
            for block in _blocks(group[0]):
                if block and _own_line(block[0], lines):
                    _punch_body(block, hot, lines, spans)


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """The blocks of statements a compound statement holds (``match`` is kept whole)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.With,
                         ast.AsyncWith)):
        return [stmt.body]
    if isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, (ast.Try, ast.TryStar)):
        return [stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody]
    return []


def _pinned(group: list[ast.stmt], start: int, end: int, lines: list[bytes]) -> bool:
    """Statements that must keep their bytes whatever they spell: star imports (they may
    bring in any name), the first two lines (a coding cookie below code is not one, and must
    not become one), a last line without a line end, a statement that does not start its line
    (the body of ``class A: x = 1``), and one joined to the next or the last statement by a
    backslash continuation (``x = 1; \\`` with ``f()`` on the next line)."""
    if start <= 2 or not lines[end - 1].endswith((b"\n", b"\r")):
        return True
    if lines[end - 1].rstrip(b"\r\n").endswith(b"\\") or \
            lines[start - 2].rstrip(b"\r\n").endswith(b"\\"):
        return True
    if not _own_line(group[0], lines) or lines[start - 1].lstrip().startswith(b"elif"):
        return True  # an ``elif`` is part of the ``if`` before it
    return any(isinstance(s, ast.ImportFrom) and s.names[0].name == "*" for s in group)


def _own_line(stmt: ast.stmt, lines: list[bytes]) -> bool:
    """Only indentation before ``stmt`` (or its first decorator) on its line."""
    first = min([stmt, *getattr(stmt, "decorator_list", [])], key=lambda n: n.lineno)
    return not lines[first.lineno - 1][:first.col_offset].strip(b" \t\f@")


def _any_hot(hot: list[int], start: int, end: int) -> bool:
    at = bisect.bisect_left(hot, start)
    return at < len(hot) and hot[at] <= end


def _hot_lines(data: bytes, words: tuple[set[str], set[str]], pinned: set[int]) -> list[int]:
    """Lines (1-based, sorted) that spell a word or start a fresh alias's prefix, and the
    ``pinned`` ones."""
    exact, prefixes = words
    parts = [re.escape(w) for w in sorted(exact, key=lambda w: (-len(w), w))]
    pattern = rb"(?<![A-Za-z0-9_])(?:" + "|".join(parts).encode() + rb")(?![A-Za-z0-9_])"
    if prefixes:
        pattern += rb"|(?<![A-Za-z0-9_])(?:" + "|".join(
            re.escape(p) for p in sorted(prefixes)).encode() + rb")"
    found = set(pinned)
    starts = [0]
    for match in re.finditer(rb"\r\n|\n", data):
        starts.append(match.end())
    for match in re.finditer(pattern, data):
        found.add(bisect.bisect_right(starts, match.start()))
    if not data.isascii():  # identifiers are equal under NFKC: a non-ASCII one may be a word
        for line, text in enumerate(data.splitlines(), 1):
            if not text.isascii():
                found.add(line)
    return sorted(found)


@functools.lru_cache(maxsize=32)
def _rule_words(rules: tuple[Rule, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """(words, fresh-alias prefixes) of the rules alone: the first and last part of each
    name (a use of ``a.b.c`` spells ``c``, or ``a`` through ``import a.b``, or a local an
    import binds), every name a call rule's template spells, and each alias the engine could
    make from a name (``c.d.G`` -> ``d_G``, ``d_G_2``)."""
    dotted: set[str] = set(STRING_IMPORTERS)
    exact: set[str] = {"__all__"}
    for rule in rules:
        dotted.update(rule.olds)
        dotted.update(rule.imports)
        dotted.add(rule.new)
        if rule.kind == "call":
            for text in (rule.new, *(t for _, t in rule.arguments),
                         *(str(c) for _, c in rule.context), *rule.params):
                exact.update(_WORD.findall(text))
    prefixes: set[str] = set()
    for name in dotted:
        parts = [p for p in _WORD.findall(name)]
        if not parts:
            continue
        exact.update((parts[0], parts[-1]))
        for end in range(1, len(parts) + 1):
            prefixes.add("_".join(parts[max(0, end - 2):end]) + ("_" if end == 1 else ""))
    return frozenset(exact), frozenset(prefixes)


def _file_words(tree: ast.Module, rule_words: tuple[frozenset[str], frozenset[str]],
                rules: tuple[Rule, ...]) -> tuple[tuple[set[str], set[str]], set[int]]:
    """The rules' words with the local names the file's imports of them bind, and the lines
    of every import statement (kept whatever they import: they are short, and the engine reads
    every import of the file)."""
    exact, prefixes = set(rule_words[0]), set(rule_words[1])
    names = _dotted(rules)
    lines: set[int] = set()
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            for al in node.names:  # ``import a.b`` binds ``a``, ``import a.b as m`` binds m
                if _related(al.name, names):
                    exact.add(al.asname or al.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            for al in node.names:  # ``from a import b`` binds ``b``; relative: any may matter
                if node.level or _related(f"{node.module}.{al.name}", names):
                    exact.add(al.asname or al.name)
    return (exact, prefixes), lines


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement at any depth (imports are statements: no expression is visited)."""
    for stmt in body:
        yield stmt
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if inner and isinstance(inner[0], ast.stmt):
                yield from _statements(inner)
        for handler in getattr(stmt, "handlers", ()):
            yield from _statements(handler.body)
        for case in getattr(stmt, "cases", ()):
            yield from _statements(case.body)


@functools.lru_cache(maxsize=32)
def _dotted(rules: tuple[Rule, ...]) -> frozenset[str]:
    """Every dotted name the rules spell (old, new, the names a call rule imports)."""
    return frozenset(n for rule in rules for n in (*rule.olds, *rule.imports, rule.new) if n)


def _related(full: str, names: frozenset[str]) -> bool:
    """``full`` is one of ``names``, a package of one, or inside one (a submodule of a banned
    module): what an import binds to it can reach a rule's name."""
    return any(n == full or n.startswith(full + ".") or full.startswith(n + ".")
               for n in names)
