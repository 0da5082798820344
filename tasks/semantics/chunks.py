"""Where the top-level statements of a file start and end, from a small exact lexer.

Statement boundaries come from strings (every prefix, triple quotes, escapes), comments,
brackets and backslash continuations. Anything the lexer is not sure of (an unterminated
string, unbalanced brackets, a stray backslash, a lone CR, a coding cookie that may not read
ASCII as ASCII, a non-ASCII byte that may be in an identifier (one in a comment or a plain
string is fine: :func:`non_ascii_strings`), a form feed, an f-string whose braces do not
balance) returns ``None`` and the caller parses the whole file. :mod:`.partial` decides which
statements a partial parse keeps.
"""
from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterator

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
_OPEN = frozenset(b"([{")
_BRACE = re.compile(rb"[{}]")
_E_OR_F = frozenset(b"ef")  # else, elif, except, finally
_CLOSE = frozenset(b")]}")


def chunks(data: bytes) -> list[tuple[int, int]] | None:
    """(start, end) byte offsets of each top-level statement (decorators and ``else:``-style
    clauses included), in order; None when the lexer is not sure."""
    found = chunks_and_blocked(data)
    return None if found is None else found[0]


def chunks_and_blocked(data: bytes
                       ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]] | None:
    """:func:`chunks`, and the lexer's :func:`blocked_spans` they were cut with."""
    if not lexable(data):
        return None
    blocked = blocked_spans(data)
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
    return list(zip(starts, starts[1:] + [len(data)], strict=False)), blocked


# Python's own cookie pattern (tokenize.cookie_re), on the first two lines
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
# encodings whose reading of any ASCII byte is that byte (only checked for ASCII files)
_ASCII_SAFE = frozenset({"ascii", "utf-8", "iso8859-1", "cp1252", "iso8859-15", "latin-1"})


def lexable(data: bytes) -> bool:
    """Whether the lexer can be sure of this file at all."""
    if (b"\r" in data and b"\r" in data.replace(b"\r\n", b"")) or b"\f" in data \
            or b"\0" in data:
        return False
    if not data.isascii() and non_ascii_strings(data) is None:
        return False  # names are compared as bytes, but Python equates them under NFKC
    return _plain_encoding(data)  # a declared encoding may not be ASCII-compatible


def _normal_encoding(name: str) -> str:
    """The tokenizer's own reading of a cookie's name (``utf-8-unix`` is UTF-8, as in
    ``tokenize``), before the codec lookup."""
    low = name[:12].lower().replace("_", "-")
    if low == "utf-8" or low.startswith("utf-8-"):
        return "utf-8"
    if low in ("latin-1", "iso-8859-1", "iso-latin-1") or \
            low.startswith(("latin-1-", "iso-8859-1-", "iso-latin-1-")):
        return "iso-8859-1"
    return name


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
            name = codecs.lookup(_normal_encoding(match.group(1).decode())).name
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


def blocked_spans(data: bytes, end: int | None = None) -> list[tuple[int, int]] | None:
    """Spans where no statement can start: inside brackets, inside a multi-line string, and
    the line after a backslash continuation. None on anything the lexer does not understand.
    ``end``: lex only ``data[:end]`` (a string or bracket still open there: None)."""
    blocked: list[tuple[int, int]] = []
    depth = 0
    opened = 0
    checked = NESTED_FSTRINGS
    pattern = _TOKEN_FSTRINGS if checked else _TOKEN
    for match in pattern.finditer(data, 0, len(data) if end is None else end):
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
        elif match.end() - start == 2 and \
                data[match.end():match.end() + 1] == data[start:start + 1]:
            return None  # '' then ': a triple quote the lexer could not close (up to ``end``)
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
