"""Which statements of a file (or of a class body) may bind which names: the word-based rule
:mod:`.partial` and :mod:`.hollow` keep statements by. A name is only ever bound by a
statement that spells it, so a statement none of whose words a kept statement uses can be
left out without changing what any name resolves to.
"""

from __future__ import annotations

import keyword
import re

DEF = re.compile(rb"(?:@[^\n]*\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*)*(?:async[ \t]+)?(?:def|class)[ \t]+"
                 rb"([A-Za-z_][A-Za-z0-9_]*)")
WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
# NAME = one string literal (no f-string), then only blank lines and comments: binds NAME alone
# (real modules hold their documentation so, and it names everything)
TEXT_ASSIGNMENT = re.compile(rb"""
    ([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*[rRuUbB]{0,2}
    (?:'''(?:[^'\\]++|\\(?:\r\n|.)|'(?!''))*+'''
     | \"\"\"(?:[^"\\]++|\\(?:\r\n|.)|"(?!""))*+\"\"\"
     | '(?:[^'\\\r\n]++|\\(?:\r\n|.))*+'
     | "(?:[^"\\\r\n]++|\\(?:\r\n|.))*+")
    (?:[ \t\r\n]++|\#[^\r\n]*+)*+""", re.VERBOSE | re.DOTALL)
KEYWORDS = frozenset(k.encode() for k in keyword.kwlist)


def hot_chunks(data: bytes, spans: list[tuple[int, int]], hot: list[int]) -> list[bool]:
    """Which spans hold a hot offset (both sorted)."""
    keep = [False] * len(spans)
    i = 0
    for offset in hot:
        while i < len(spans) and spans[i][1] <= offset:
            i += 1
        if i < len(spans) and spans[i][0] <= offset:
            keep[i] = True
    return keep


def bind_closure(data: bytes, spans: list[tuple[int, int]], keep: list[bool],
                 used: set[bytes], declares: bool, indent: int = 0) -> None:
    """Keep every span that may bind a word of ``used`` (in place). Kept so, a span is not
    visited (it holds no hot offset): only its bindings matter, so one pass is enough.
    ``indent``: how many bytes of indentation each span starts with (a class body's)."""
    for n, (s, e) in enumerate(spans):
        if keep[n]:
            continue
        named = DEF.match(data, s + indent) or TEXT_ASSIGNMENT.fullmatch(data, s + indent, e)
        if named is not None and (not declares or binds_its_name_alone(data, s, e)):
            keep[n] = named.group(1) in used
        else:  # a name this chunk may bind, used by a kept one
            keep[n] = not used.isdisjoint(WORD.findall(data, s, e))


# a global statement: first on its line or after ";" or ":" (not in a comment, not global_x)
GLOBAL = re.compile(rb"(?:^|[;:])[ \t]*global(?=[ \t\\])", re.MULTILINE)


def binds_its_name_alone(data: bytes, start: int, end: int) -> bool:
    """Whether a def or class (or ``NAME = '...'``) binds no module-level name but its own:
    no ``global`` statement, and no ``:=`` in its header (decorators, defaults, annotations,
    bases: evaluated at module level). A ``:=`` in the body binds in the body's own scope."""
    if data.find(b"global", start, end) >= 0 and GLOBAL.search(data, start, end) is not None:
        return False
    walrus = data.find(b":=", start, end)
    return walrus < 0 or walrus >= header_end(data, start, end)


def header_end(data: bytes, start: int, end: int) -> int:
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
