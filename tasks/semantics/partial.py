"""Parse only the top-level statements of a file that can matter to detect.

Most of a candidate file is code that never mentions a deprecated name. Parsing it is most of
detect's cost, so :func:`partial_source` blanks out the top-level statements that cannot change
the answer and keeps every line where it was (same line numbers, same columns):

* kept: every top-level statement holding a *hot* offset (a needle, an ``as`` alias, a star
  import), every one mentioning ``__all__``, and every one that may bind, at module level, a name
  that the kept statements use (a ``def``/``class`` binds only its own name, unless a ``global``
  statement or a walrus in its header says otherwise; ``NAME = '...'`` binds NAME; any other
  statement is assumed to bind any word it contains);
* blanked: the rest. A name is only ever bound at module level by a statement that spells it,
  so a use inside a kept statement resolves to the same binding as in the whole file.

A large class kept is hollowed the same way one level down (:mod:`.hollow`): of its body, only
the statements holding a hot offset and those that may bind, in the class's scope, a name they
read there are kept.

When every hot offset is on a top-level import statement that fits on its line (most real
files that hold a deprecated name only import it and call it bare), :func:`import_statements`
keeps those statements alone: what they report depends on nothing else in the file.

Statement boundaries come from :mod:`.chunks`; when its lexer is unsure, or a parsed tree's
statements do not sit exactly on the chunks chosen (:func:`aligned`), the caller parses the
whole file.

The one visible difference from a whole-file parse: a syntax error inside a statement that was
blanked out (or, for the import statements alone, after the last of them: the lexer reads no
further; or in the body of a def or class kept only for its name) is not seen, so the file is
scanned rather than reported unparseable (the syntax gate and ``plan``, which parse whole
files, still catch it).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import hollow
from .bindings import KEYWORDS, WORD, bind_closure, binds_its_name_alone, hot_chunks
from .chunks import blocked_spans, chunks_and_blocked, lexable


@dataclass(frozen=True)
class Partial:
    source: bytes  # the file with unneeded top-level statements replaced by blank lines
    starts: frozenset[int]  # 1-based first line of each kept top-level statement (or decorator)
    ends: tuple[tuple[int, int], ...]  # (first line, last line) of each kept chunk
    # each hollowed class: its first line, and (first line, last line) of each body
    # statement kept (partial_source(classes=True))
    inner: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = ()


# a whole top-level import statement on one line: no bracket, continuation or ";"
_SIMPLE_IMPORT = re.compile(rb"(?:from[ \t]+[A-Za-z0-9_. \t]+[ \t]import|import)[ \t]"
                            rb"[A-Za-z0-9_., \t*]+(?:\#[^\r\n]*+)?\r?")


def import_statements(data: bytes, hot: list[int]) -> Partial | None:
    """Only the import statements, when every hot offset is on a top-level import statement
    that fits on its line (``from a.b import c, d as e``): their findings then depend on
    nothing else in the file (the caller checks there is no ``__all__``). The lexer says they
    are code (not inside a string or brackets). None otherwise, or when the lexer is unsure
    of the file (which is then parsed whole, as with :func:`partial_source`)."""
    if not hot or not lexable(data):
        return None
    starts = sorted({data.rfind(b"\n", 0, at) + 1 for at in hot})
    last = data.find(b"\n", starts[-1])
    # lexed up to the end of the last hot line: what comes after cannot make a line before it
    # code or not (a syntax error there goes unseen, like one in any statement not parsed)
    blocked = blocked_spans(data, len(data) if last < 0 else last + 1)
    if blocked is None:
        return None
    statements: list[bytes] = []
    lines: list[int] = []
    line, pos, span = 1, 0, 0
    for start in starts:
        while span < len(blocked) and blocked[span][1] <= start:
            span += 1
        if span < len(blocked) and blocked[span][0] < start:
            return None  # inside brackets, a multi-line string or after a backslash
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if _SIMPLE_IMPORT.fullmatch(data, start, end) is None:
            return None
        line += data.count(b"\n", pos, start)
        pos = start
        lines.append(line)
        statements.append(data[start:end])
    return _place(statements, lines)


def _place(statements: list[bytes], lines: list[int]) -> Partial:
    """One-line statements at their lines, every other line blank."""
    out: list[bytes] = []
    written = 0
    for text, line in zip(statements, lines, strict=True):
        out.append(b"\n" * (line - 1 - written) + text + b"\n")
        written = line
    return Partial(b"".join(out), frozenset(lines), tuple((n, n) for n in lines))


def partial_source(data: bytes, hot: list[int], *, classes: bool = False) -> Partial | None:
    """``data`` with the top-level statements detect does not need blanked out, or None
    when the whole file should be parsed (the lexer is unsure, or nothing can be left out).

    ``hot`` holds sorted byte offsets where a reference could be. ``classes``: a large class
    kept is hollowed too (:func:`.hollow.hollow`; the caller allows it only without ``call`` rules,
    whose context search reads the whole class: ``self.<attr>`` set in any method)."""
    found = chunks_and_blocked(data)
    if found is None or len(found[0]) < 2:
        return None
    spans, blocked = found
    keep = hot_chunks(data, spans, hot)
    if b"__all__" in data:
        for n, (s, e) in enumerate(spans):
            if not keep[n] and data.find(b"__all__", s, e) >= 0:
                keep[n] = True
    if not any(keep):
        return None
    declares = b"global" in data or b":=" in data  # what lets a def bind other names
    texts = {n: data[s:e] for n, (s, e) in enumerate(spans) if keep[n]}
    inner: dict[int, tuple[tuple[int, int], ...]] = {}  # hollowed chunk -> its kept statements
    if classes:
        for n, (s, e) in enumerate(spans):
            if keep[n] and e - s >= hollow.HOLLOW_MIN_BYTES:
                hollowed = hollow.hollow(data, s, e, blocked, hot, declares)
                if hollowed is not None:
                    texts[n], inner[n] = hollowed
    # the bytes the parser would read, line breaks aside (a hollowed class's blanked lines)
    if sum(len(t) - t.count(b"\n") for t in texts.values()) * 2 > len(data):
        return None  # most of the file is needed anyway: blanking the rest would not pay
    # the words of the kept chunks: each of their identifiers is one (a few more words, such
    # as "x" of "1x", only keep more)
    used = set(WORD.findall(b"\n".join(texts.values()))) - KEYWORDS
    visited = list(keep)
    bind_closure(data, spans, keep, used, declares)
    for n, (s, e) in enumerate(spans):  # kept for the name a def or class binds: no body
        if keep[n] and not visited[n] and e - s >= NAME_ONLY_MIN_BYTES and \
                (not declares or binds_its_name_alone(data, s, e)):
            cut = hollow.name_only(data, s, e, blocked)
            if cut is not None:
                texts[n], inner[n] = cut
    if all(keep) and not inner:
        return None
    return _assemble(data, spans, keep, texts, inner)


NAME_ONLY_MIN_BYTES = 512  # a smaller def or class kept for its name is kept whole


def partial_source_in_classes(data: bytes, hot: list[int]) -> Partial | None:
    """:func:`partial_source`, large classes hollowed."""
    return partial_source(data, hot, classes=True)


def _assemble(data: bytes, spans: list[tuple[int, int]], keep: list[bool],
              texts: dict[int, bytes], inner: dict[int, tuple[tuple[int, int], ...]]
              ) -> Partial:
    parts = [data[:spans[0][0]]]
    line = 1 + data.count(b"\n", 0, spans[0][0])
    starts: set[int] = set()
    ends: list[tuple[int, int]] = []
    hollowed: list[tuple[int, tuple[tuple[int, int], ...]]] = []
    for n, ((s, e), kept) in enumerate(zip(spans, keep, strict=True)):
        lines = data.count(b"\n", s, e)
        if kept:
            parts.append(texts.get(n, data[s:e]))
            starts.add(line)
            ends.append((line, _last_line(data, s, e, line)))
            if n in inner:
                hollowed.append((line, tuple(
                    (first, _last_line(data, a, b, first))
                    for a, b in inner[n] for first in (line + data.count(b"\n", s, a),))))
        else:
            parts.append(b"\n" * lines)
        line += lines
    return Partial(b"".join(parts), frozenset(starts), tuple(ends), tuple(hollowed))


def _last_line(data: bytes, start: int, end: int, first: int) -> int:
    """The last line of ``data[start:end]``, which starts on line ``first``."""
    return max(first, first + data.count(b"\n", start, end)
               - (1 if data.endswith(b"\n", start, end) else 0))


def aligned(tree: ast.Module, partial: Partial) -> bool:
    """Whether every parsed top-level statement lies inside one kept chunk and every kept
    chunk starts a statement: the lexer's boundaries agreed with the parser's. The same for
    the body of each hollowed class, def or class cut to its name."""
    if not _aligned(tree.body, partial.starts, partial.ends):
        return False
    by_line = {_first_line(stmt): stmt for stmt in tree.body}
    for first, kept in partial.inner:
        node = by_line.get(first)
        if not isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) or \
                not _aligned(node.body, frozenset(a for a, _ in kept), kept):
            return False
    return True


def _first_line(stmt: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", None) or []
    return min([stmt.lineno] + [d.lineno for d in decorators])


def _aligned(body: list[ast.stmt], starts: frozenset[int],
             ends: tuple[tuple[int, int], ...]) -> bool:
    seen: set[int] = set()
    bounds = dict(ends)
    current = 0
    for stmt in body:
        first = _first_line(stmt)
        if first in bounds:
            current = first
            seen.add(first)
        elif not current or first < current:
            return False
        if (stmt.end_lineno or stmt.lineno) > bounds[current]:
            return False
    return seen == set(starts)


def parse_partial(data: bytes, path: str, offsets: list[int],
                   build: Callable[[bytes, list[int]], Partial | None]) -> ast.Module | None:
    """The tree of the statements that matter, or None to parse the whole file instead."""
    partial = build(data, offsets)
    if partial is None:
        return None
    try:
        tree = ast.parse(partial.source, filename=path)
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
        return None  # the whole file's parse gives the exact error, or shows the lexer erred
    return tree if aligned(tree, partial) else None
