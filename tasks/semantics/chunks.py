"""Parse only the top-level statements of a file that can matter to detect.

Most of a candidate file is code that never mentions a deprecated name. Parsing it is most of
detect's cost, so :func:`partial_source` blanks out the top-level statements that cannot change the
answer and keeps every line where it was (same line numbers, same columns):

* kept: every top-level statement holding a *hot* offset (a needle, an ``as`` alias, a star
  import), every one mentioning ``__all__``, and every one that may bind, at module level, a name
  that the kept statements use (a ``def``/``class`` binds only its own name; any other statement
  is assumed to bind any word it contains);
* blanked: the rest. A name is only ever bound at module level by a statement that spells it,
  so a use inside a kept statement resolves to the same binding as in the whole file.

When every hot offset is on a top-level import statement that fits on its line (most real
files that hold a deprecated name only import it and call it bare), :func:`import_statements`
keeps those statements alone: what they report depends on nothing else in the file.

Statement boundaries come from a small exact lexer: strings (every prefix, triple quotes,
escapes), comments, brackets and backslash continuations. Anything it is not sure of (an
unterminated string, unbalanced brackets, a stray backslash, a lone CR, a coding cookie that
may not read ASCII as ASCII, a non-ASCII byte that may be in an identifier (one in a comment
or a plain string is fine: :func:`non_ascii_strings`), a form feed, an f-string whose braces do
not balance) returns ``None`` and the caller parses the whole file; so does a parsed tree whose
statements do not sit exactly on the chunks chosen (:func:`aligned`).

The one visible difference from a whole-file parse: a syntax error inside a statement that was
blanked out is not seen, so the file is scanned rather than reported unparseable (the syntax
gate and ``plan``, which parse whole files, still catch it).
"""

from __future__ import annotations

import ast
import codecs
import keyword
import re
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

# Neutral text changes neither the bracket depth nor where a line can start a statement:
# code, comments, one-line strings without escapes (never an empty one, which could open a
# triple quote), and bracket pairs closed on their own line (three levels deep).
_TOKENS_TAIL = rb"""
    | \#[^\r\n]*+
    | '''(?:[^'\\]++|\\(?:\r\n|.)|'(?!''))*+'''
    | \"\"\"(?:[^"\\]++|\\(?:\r\n|.)|"(?!""))*+\"\"\"
    | '(?:[^'\\\r\n]++|\\(?:\r\n|.))*+'
    | "(?:[^"\\\r\n]++|\\(?:\r\n|.))*+"
    | ['"]
    | [(\[{)\]}]
    | \\(?:\r?\n)?
    """


def _tokens(not_f: bytes) -> re.Pattern[bytes]:
    """The lexer's one regex; ``not_f`` keeps f-strings out of neutral text (to check them)."""
    str1 = not_f + rb"'[^'\\\n]++'|" + not_f + rb'"[^"\\\n]++"'
    inner = rb"""[^'"\#\\()\[\]{}\n]++"""
    group = rb"[(\[{](?:" + inner + rb"|" + str1 + rb")*+[)\]}]"
    for _ in range(2):
        group = rb"[(\[{](?:" + inner + rb"|" + str1 + rb"|" + group + rb")*+[)\]}]"
    neutral = rb"""(?:[^'"\#\\()\[\]{}]++|\#[^\r\n]*+|""" + str1 + rb"|" + group + rb")++"
    return re.compile(b"(" + neutral + b")" + _TOKENS_TAIL, re.VERBOSE | re.DOTALL)


# From Python 3.12 a replacement field may hold its f-string's own quote (f"{d["k"]}"), which a
# lexer reading strings the 3.11 way takes for the string's end: there every f-string is a
# token of its own and checked (_fstring_unsure). On 3.11 that syntax does not parse anyway.
NESTED_FSTRINGS = sys.version_info >= (3, 12)
_TOKEN = _tokens(b"")
_TOKEN_FSTRINGS = _tokens(rb"(?<![fF])(?<![fF][rR])")
_LINE_START = re.compile(rb"\n(?=[^\s#)\]}])")  # faster than ^ with re.MULTILINE
_CONTINUES = re.compile(rb"(?:else|elif|except|finally)\b")
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
_OPEN = frozenset(b"([{")
_BRACE = re.compile(rb"[{}]")
_E_OR_F = frozenset(b"ef")  # else, elif, except, finally
_CLOSE = frozenset(b")]}")


@dataclass(frozen=True)
class Partial:
    source: bytes  # the file with unneeded top-level statements replaced by blank lines
    starts: frozenset[int]  # 1-based first line of each kept top-level statement (or decorator)
    ends: tuple[tuple[int, int], ...]  # (first line, last line) of each kept chunk


def chunks(data: bytes) -> list[tuple[int, int]] | None:
    """(start, end) byte offsets of each top-level statement (decorators and ``else:``-style
    clauses included), in order; None when the lexer is not sure."""
    if not _lexable(data):
        return None
    blocked = _blocked_spans(data)
    if blocked is None:
        return None
    starts: list[int] = []
    spans = iter(blocked)
    span = next(spans, None)
    previous_decorator = False
    first_line = [0] if data[:1].strip() and data[:1] not in b"#)]}" else []
    for at in first_line + [m.start() + 1 for m in _LINE_START.finditer(data)]:
        while span is not None and span[1] <= at:
            span = next(spans, None)
        if span is not None and span[0] < at:
            continue  # inside brackets, a multi-line string or after a backslash
        first = data[at]
        if starts and (previous_decorator or (first in _E_OR_F and _CONTINUES.match(data, at))):
            previous_decorator = first == 0x40
            continue
        previous_decorator = first == 0x40  # an "@": the decorated def joins this chunk
        starts.append(at)
    return list(zip(starts, starts[1:] + [len(data)], strict=False))


# Python's own cookie pattern (tokenize.cookie_re), on the first two lines
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
# encodings whose reading of any ASCII byte is that byte (only checked for ASCII files)
_ASCII_SAFE = frozenset({"ascii", "utf-8", "iso8859-1", "cp1252", "iso8859-15", "latin-1"})


def _lexable(data: bytes) -> bool:
    """Whether the lexer can be sure of this file at all."""
    if (b"\r" in data and b"\r" in data.replace(b"\r\n", b"")) or b"\f" in data \
            or b"\0" in data:
        return False
    if not data.isascii() and non_ascii_strings(data) is None:
        return False  # names are compared as bytes, but Python equates them under NFKC
    return _plain_encoding(data)  # a declared encoding may not be ASCII-compatible


# a whole top-level import statement on one line: no bracket, continuation or ";"
_SIMPLE_IMPORT = re.compile(rb"(?:from[ \t]+[A-Za-z0-9_. \t]+[ \t]import|import)[ \t]"
                            rb"[A-Za-z0-9_., \t*]+(?:\#[^\r\n]*+)?\r?")


def import_statements(data: bytes, hot: list[int]) -> Partial | None:
    """Only the import statements, when every hot offset is on a top-level import statement
    that fits on its line (``from a.b import c, d as e``): their findings then depend on
    nothing else in the file (the caller checks there is no ``__all__``). The lexer says they
    are code (not inside a string or brackets). None otherwise, or when the lexer is unsure
    of the file (which is then parsed whole, as with :func:`partial_source`)."""
    if not hot or not _lexable(data):
        return None
    blocked = _blocked_spans(data)
    if blocked is None:
        return None
    statements: list[bytes] = []
    lines: list[int] = []
    line, pos, span = 1, 0, 0
    for start in sorted({data.rfind(b"\n", 0, at) + 1 for at in hot}):
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


def _plain_encoding(data: bytes) -> bool:
    """Whether the text is what the bytes say: no coding cookie, or for an ASCII file one
    naming an encoding that reads ASCII as ASCII (``# -*- coding: utf-8 -*-`` in most real
    code), for a non-ASCII one only UTF-8 (then ``non_ascii_strings`` has decoded it)."""
    head = data[:400].split(b"\n", 2)[:2]
    for line in head:
        if b"coding" not in line or not line.lstrip().startswith(b"#"):
            continue
        match = _COOKIE.match(line)
        if match is None:
            return False
        try:
            name = codecs.lookup(tokenize._get_normal_name(match.group(1).decode())).name
        except LookupError:
            return False
        if name not in (_ASCII_SAFE if data.isascii() else ("utf-8",)):
            return False
    return True


# Comments and strings (their prefix is code) between code that holds no quote, hash or
# non-ASCII byte; anything else (a lone quote, a non-ASCII byte in code) is ``other``.
_TEXTS = re.compile(rb"""
      (?P<code>[^#'"\x80-\xff]++)
    | \#[^\r\n]*+
    | '''(?:[^'\\]++|\\(?:\r\n|.)|'(?!''))*+'''
    | \"\"\"(?:[^"\\]++|\\(?:\r\n|.)|"(?!""))*+\"\"\"
    | '(?:[^'\\\r\n]++|\\(?:\r\n|.))*+'
    | "(?:[^"\\\r\n]++|\\(?:\r\n|.))*+"
    | (?P<other>.)
    """, re.VERBOSE | re.DOTALL)
_F_OR_B = frozenset(b"fFbB")


def non_ascii_strings(data: bytes) -> list[int] | None:
    """Where a UTF-8 file's non-ASCII bytes sit in strings that fit on one line (offsets of
    those strings), when every other non-ASCII byte is in a comment or a multi-line string;
    None when one may be in code, an f-string or a bytes literal, or the file is not UTF-8.

    Only identifiers are equal under NFKC, and a string is read as code only as a type
    annotation on one line (``syntax.parse_string_annotation``): those strings' lines are
    hot, so the whole-file parse and the partial one visit them alike."""
    if NESTED_FSTRINGS:
        return None  # from 3.12 a string may hold its own quote: not read here
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    out: list[int] = []
    for match in _TEXTS.finditer(data):
        if match.lastgroup == "code":
            continue
        if match.lastgroup == "other":
            return None  # a non-ASCII byte in code, or a quote that opens no string
        start, end = match.span()
        if data[start] == 0x23 or data[start:end].isascii():
            continue
        if any(byte in _F_OR_B for byte in data[max(0, start - 2):start]):
            return None  # an f-string (identifiers inside) or bytes (a syntax error)
        if b"\n" not in data[start:end] and b"\r" not in data[start:end]:
            out.append(start)
    return out


def _blocked_spans(data: bytes) -> list[tuple[int, int]] | None:
    """Spans where no statement can start: inside brackets, inside a multi-line string, and
    the line after a backslash continuation. None on anything the lexer does not understand."""
    blocked: list[tuple[int, int]] = []
    depth = 0
    opened = 0
    checked = NESTED_FSTRINGS
    for match in (_TOKEN_FSTRINGS if checked else _TOKEN).finditer(data):
        if match.lastindex:
            continue  # neutral text
        start = match.start()
        first = data[start]
        if first in _OPEN:
            if depth == 0:
                opened = start
            depth += 1
        elif first in _CLOSE:
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                blocked.append((opened, match.end()))
        elif first == 0x23:  # a comment
            continue
        elif first == 0x5C:  # a backslash outside a string
            if match.end() == start + 1:
                return None
            if depth == 0:
                blocked.append((start, match.end() + 1))
        elif match.end() - start == 1:
            return None  # a quote that opens no complete string
        else:
            if checked and _fstring_unsure(data, start, match.end()):
                return None
            if depth == 0 and b"\n" in data[start:match.end()]:
                blocked.append((start, match.end()))
    return blocked if depth == 0 else None


def _fstring_unsure(data: bytes, start: int, end: int) -> bool:
    """An f-string whose braces do not balance: Python 3.12 lets a replacement field hold the
    string's own quote (``f"{d["k"]}"``), which this lexer, like Python 3.11, would take for
    the string's end. Then the file is parsed whole."""
    before = data[max(0, start - 2):start].lower()
    if not (before.endswith(b"f") or before == b"fr"):
        return False
    quote = 3 if data.startswith(data[start:start + 1] * 3, start) and end - start >= 6 else 1
    body = data[start + quote:end - quote]
    if b"{{" not in body and b"}}" not in body:  # the common case: counting is enough
        return body.count(b"{") != body.count(b"}")
    depth = 0
    skip = -1
    for brace in _BRACE.finditer(data, start + quote, end - quote):
        at = brace.start()
        if at == skip:
            continue  # the second half of an escaped {{ or }}
        if depth == 0 and data[at + 1:at + 2] == brace.group() and at + 1 < end - quote:
            skip = at + 1  # {{ or }} outside a replacement field: a literal brace
        elif brace.group() == b"{":
            depth += 1
        elif depth == 0:
            return True
        else:
            depth -= 1
    return depth != 0


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


def has_word(text: bytes, word: bytes) -> bool:
    """Whether ``word`` occurs in ``text`` as a whole identifier."""
    return next(word_offsets(text, word), None) is not None


def word_offsets(text: bytes, word: bytes, *, bounded: bool = True) -> Iterator[int]:
    """Where ``word`` occurs in ``text`` (found in C); ``bounded``: only as a whole identifier."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if not bounded or ((at == 0 or not is_word_byte(text[at - 1]))
                           and (end == len(text) or not is_word_byte(text[end]))):
            yield at
        at = text.find(word, end)


def is_word_byte(byte: int) -> bool:
    return byte == 0x5F or 0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A or \
        0x61 <= byte <= 0x7A or byte >= 0x80


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
