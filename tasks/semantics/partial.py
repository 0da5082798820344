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

When every hot offset is on a top-level import statement that fits on its line (most real
files that hold a deprecated name only import it and call it bare), :func:`import_statements`
keeps those statements alone: what they report depends on nothing else in the file.

Statement boundaries come from :mod:`.chunks`; when its lexer is unsure, or a parsed tree's
statements do not sit exactly on the chunks chosen (:func:`aligned`), the caller parses the
whole file.

The one visible difference from a whole-file parse: a syntax error inside a statement that was
blanked out (or, for the import statements alone, after the last of them: the lexer reads no
further) is not seen, so the file is scanned rather than reported unparseable (the syntax
gate and ``plan``, which parse whole files, still catch it).
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass

from .chunks import blocked_spans, chunks, lexable

_DEF = re.compile(rb"(?:@[^\n]*\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*)*(?:async[ \t]+)?(?:def|class)[ \t]+"
                  rb"([A-Za-z_][A-Za-z0-9_]*)")
_WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
# NAME = one string literal (no f-string), then only blank lines and comments: binds NAME alone
# (real modules hold their documentation so, and it names everything)
_TEXT_ASSIGNMENT = re.compile(rb"""
    ([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*[rRuUbB]{0,2}
    (?:'''(?:[^'\\]++|\\(?:\r\n|.)|'(?!''))*+'''
     | \"\"\"(?:[^"\\]++|\\(?:\r\n|.)|"(?!""))*+\"\"\"
     | '(?:[^'\\\r\n]++|\\(?:\r\n|.))*+'
     | "(?:[^"\\\r\n]++|\\(?:\r\n|.))*+")
    (?:[ \t\r\n]++|\#[^\r\n]*+)*+""", re.VERBOSE | re.DOTALL)
_KEYWORDS = frozenset(k.encode() for k in keyword.kwlist)


@dataclass(frozen=True)
class Partial:
    source: bytes  # the file with unneeded top-level statements replaced by blank lines
    starts: frozenset[int]  # 1-based first line of each kept top-level statement (or decorator)
    ends: tuple[tuple[int, int], ...]  # (first line, last line) of each kept chunk


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


def partial_source(data: bytes, hot: list[int]) -> Partial | None:
    """``data`` with the top-level statements detect does not need blanked out, or None
    when the whole file should be parsed (the lexer is unsure, or nothing can be left out).

    ``hot`` holds sorted byte offsets where a reference could be."""
    spans = chunks(data)
    if spans is None or len(spans) < 2:
        return None
    keep = [False] * len(spans)
    i = 0
    for offset in hot:
        while i < len(spans) and spans[i][1] <= offset:
            i += 1
        if i < len(spans) and spans[i][0] <= offset:
            keep[i] = True
    if b"__all__" in data:
        for n, (s, e) in enumerate(spans):
            if not keep[n] and data.find(b"__all__", s, e) >= 0:
                keep[n] = True
    if not any(keep):
        return None
    if sum(e - s for n, (s, e) in enumerate(spans) if keep[n]) * 2 > len(data):
        return None  # most of the file is needed anyway: blanking the rest would not pay
    declares = b"global" in data or b":=" in data  # what lets a def bind other names
    # the words of the kept chunks: each of their identifiers is one (a few more words, such
    # as "x" of "1x", only keep more)
    used = set(_WORD.findall(b"\n".join(data[s:e] for n, (s, e) in enumerate(spans)
                                        if keep[n]))) - _KEYWORDS
    for n, (s, e) in enumerate(spans):
        if keep[n]:
            continue
        named = _DEF.match(data, s) or _TEXT_ASSIGNMENT.fullmatch(data, s, e)
        if named is not None and (not declares or _binds_its_name_alone(data, s, e)):
            keep[n] = named.group(1) in used
        else:  # a name this chunk may bind, used by a kept one
            keep[n] = not used.isdisjoint(_WORD.findall(data, s, e))
    if all(keep):
        return None
    return _assemble(data, spans, keep)


# a global statement: first on its line or after ";" or ":" (not in a comment, not global_x)
_GLOBAL = re.compile(rb"(?:^|[;:])[ \t]*global(?=[ \t\\])", re.MULTILINE)


def _binds_its_name_alone(data: bytes, start: int, end: int) -> bool:
    """Whether a def or class (or ``NAME = '...'``) binds no module-level name but its own:
    no ``global`` statement, and no ``:=`` in its header (decorators, defaults, annotations,
    bases: evaluated at module level). A ``:=`` in the body binds in the body's own scope."""
    if data.find(b"global", start, end) >= 0 and _GLOBAL.search(data, start, end) is not None:
        return False
    walrus = data.find(b":=", start, end)
    return walrus < 0 or walrus >= _header_end(data, start, end)


def _header_end(data: bytes, start: int, end: int) -> int:
    """Where a def's or class's header (with its decorators) ends: the end of the first line
    on which its brackets balance. Its whole chunk when a header line holds a quote or a
    ``#``, which could hide a bracket."""
    depth = 0
    at = start
    while at < end:
        stop = data.find(b"\n", at, end)
        stop = end if stop < 0 else stop + 1
        line = data[at:stop]
        if b"'" in line or b'"' in line or b"#" in line:
            return end
        depth += sum(line.count(c) for c in (b"(", b"[", b"{"))
        depth -= sum(line.count(c) for c in (b")", b"]", b"}"))
        at = stop
        if depth == 0 and not line.startswith(b"@") and line.rstrip().endswith(b":"):
            return at
    return end


def _assemble(data: bytes, spans: list[tuple[int, int]], keep: list[bool]) -> Partial:
    parts = [data[:spans[0][0]]]
    line = 1 + data.count(b"\n", 0, spans[0][0])
    starts: set[int] = set()
    ends: list[tuple[int, int]] = []
    for (s, e), kept in zip(spans, keep, strict=True):
        lines = data.count(b"\n", s, e)
        if kept:
            parts.append(data[s:e])
            starts.add(line)
            last = line + lines - (1 if data.endswith(b"\n", s, e) else 0)
            ends.append((line, max(line, last)))
        else:
            parts.append(b"\n" * lines)
        line += lines
    return Partial(b"".join(parts), frozenset(starts), tuple(ends))


def aligned(tree: ast.Module, partial: Partial) -> bool:
    """Whether every parsed top-level statement lies inside one kept chunk and every kept
    chunk starts a statement: the lexer's boundaries agreed with the parser's."""
    seen: set[int] = set()
    bounds = dict(partial.ends)
    current = 0
    for stmt in tree.body:
        decorators = getattr(stmt, "decorator_list", None) or ()
        first = min([stmt.lineno] + [d.lineno for d in decorators])
        if first in bounds:
            current = first
            seen.add(first)
        elif not current or first < current:
            return False
        if (stmt.end_lineno or stmt.lineno) > bounds[current]:
            return False
    return seen == set(partial.starts)


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
