"""Hollowing a large top-level class that detect keeps for a partial parse (:mod:`.partial`):
the statements of its body that cannot change a finding are blanked out, lines and columns
kept, so a module made of one or two large classes (most real ones) is not parsed whole for
one method that mentions a deprecated name. A def or class kept only for the name it binds
keeps only its first statement (:func:`name_only`).
"""

from __future__ import annotations

import bisect
import re

from .bindings import DEF, GLOBAL, KEYWORDS, WORD, bind_closure, header_end, hot_chunks

HOLLOW_MIN_BYTES = 2048  # a smaller class is kept whole: hollowing it saves little

_CLASS = re.compile(rb"(?:@[^\n]*\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*)*class[ \t]")
_CONTINUES = re.compile(rb"(?:else|elif|except|finally)\b")


def hollow(data: bytes, start: int, end: int, blocked: list[tuple[int, int]],
           hot: list[int], declares: bool) -> tuple[bytes, tuple[tuple[int, int], ...]] | None:
    """A top-level class ``data[start:end]`` with the statements of its body detect does not
    need blanked out (same lines, same columns), and the (start, end) offsets of the body
    statements kept; None when it cannot be cut (then it is kept whole).

    Kept: the header (decorators, bases), every body statement holding a hot offset (a
    method whole), and every one that may bind, in the class's scope, a word those read there
    (the rule of the top level, one level down; a method's body reads no name of the class
    scope, only its header does). A statement not visited binds nothing another statement
    sees, but in the class's scope: leaving it out changes no finding. ``declares``: the
    file has a ``global`` statement or a walrus, and a statement holding one is kept (it
    may bind a module's name, or the class's in a default). The parse checks the cut
    (:func:`aligned`)."""
    if _CLASS.match(data, start) is None:
        return None
    body = header_end(data, start, end)
    found = _cuttable_body(data, body, end, blocked)
    if found is None:
        return None
    statements, indent = found
    keep = hot_chunks(data, statements, [at for at in hot if body <= at < end])
    if not any(keep):
        keep[0] = True  # a body cannot be empty: its first statement stays
    if declares:  # a global statement or a walrus may bind a name elsewhere: kept
        for n, (s, e) in enumerate(statements):
            keep[n] = keep[n] or data.find(b":=", s, e) >= 0 or (
                data.find(b"global", s, e) >= 0 and GLOBAL.search(data, s, e) is not None)
    # the words read in the class's scope: a def's or class's header (its decorators,
    # defaults, annotations, bases), never its body, which reads the module's names
    used = set(WORD.findall(b"\n".join(
        data[s:header_end(data, s + indent, e) if DEF.match(data, s + indent) else e]
        for n, (s, e) in enumerate(statements) if keep[n]))) - KEYWORDS
    bind_closure(data, statements, keep, used, False, indent)
    if all(keep):
        return None
    parts = [data[start:statements[0][0]]]
    kept: list[tuple[int, int]] = []
    for (s, e), wanted in zip(statements, keep, strict=True):
        if wanted:
            parts.append(data[s:e])
            kept.append((s, e))
        else:
            parts.append(b"\n" * data.count(b"\n", s, e))
    return b"".join(parts), tuple(kept)


def name_only(data: bytes, start: int, end: int, blocked: list[tuple[int, int]]
              ) -> tuple[bytes, tuple[tuple[int, int], ...]] | None:
    """A top-level def or class kept only for the name it binds (it holds no hot offset, and
    binds no other name: ``bindings.binds_its_name_alone``), with its body cut to its first
    statement (a body cannot be empty), as :func:`hollow` returns it; None when it cannot be
    cut. Nothing in it is visited, and nothing in its body binds a name outside it."""
    if DEF.match(data, start) is None:
        return None
    found = _cuttable_body(data, header_end(data, start, end), end, blocked)
    if found is None:
        return None
    first = found[0][0]
    return data[start:first[1]] + b"\n" * data.count(b"\n", first[1], end), (first,)


def _cuttable_body(data: bytes, body: int, end: int, blocked: list[tuple[int, int]]
                   ) -> tuple[list[tuple[int, int]], int] | None:
    """:func:`_body_statements`, when there are two or more (one leaves nothing to cut)."""
    found = _body_statements(data, body, end, blocked)
    return None if found is None or len(found[0]) < 2 else found


def _body_statements(data: bytes, body: int, end: int, blocked: list[tuple[int, int]]
                     ) -> tuple[list[tuple[int, int]], int] | None:
    """(start, end) of each statement of a class body ``data[body:end]``: lines at the body's
    indentation that are code (not in a string, brackets or a continuation), decorators
    joined to their def and ``else:``-style clauses to their statement, and the length of the
    indentation. None on a line the indentation does not explain (the class stays whole)."""
    if body >= end:
        return None
    indent = b""
    starts: list[int] = []
    span = bisect.bisect_right(blocked, (body, len(data)))  # the first span that may hold one
    span = max(0, span - 1)
    previous_decorator = False
    at = body
    while at < end:
        stop = data.find(b"\n", at, end)
        stop = end if stop < 0 else stop + 1
        first = at + (stop - at - len(data[at:stop].lstrip(b" \t")))
        line_at, at = at, stop
        if first >= stop or data[first] in b"#\r\n":
            continue  # blank or a comment
        while span < len(blocked) and blocked[span][1] <= line_at:
            span += 1
        if span < len(blocked) and blocked[span][0] < line_at:
            continue  # inside brackets, a string or after a backslash: the statement goes on
        if not indent:
            indent = data[line_at:first]
            if not indent:
                return None
        if first - line_at != len(indent) or not data.startswith(indent, line_at):
            if first - line_at > len(indent) and data.startswith(indent, line_at):
                continue  # deeper: inside the statement
            return None
        if starts and (previous_decorator or _CONTINUES.match(data, first)):
            previous_decorator = data[first] == 0x40
            continue
        previous_decorator = data[first] == 0x40
        starts.append(line_at)
    return list(zip(starts, starts[1:] + [end], strict=False)), len(indent)
