"""What a deprecation message says replaces the old object: dotted names and calls in its text.

``"use WebSocketManager(user_context=ctx) instead"`` -> ``WebSocketManager`` with the call
``WebSocketManager(user_context=ctx)``; ``"import it from jsonschema.exceptions"``,
``"from a.b import c"``, quoted names (``x``, `x`, 'x') and names after "use", "replaced by",
"in favour of", "moved to", "renamed" are candidates, in that order.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_FROM_IMPORT = re.compile(rf"\bfrom\s+({_DOTTED})\s+import\s+([A-Za-z_][A-Za-z0-9_]*)")
_LEAD = (r"(?:use|using|replaced\s+(?:by|with)|in\s+favou?r\s+of|moved\s+to|renamed(?:\s+to)?|"
         r"switch\s+to|migrate\s+to|prefer|call|construct|import\s+it\s+from|superseded\s+by)")
_LED = re.compile(rf"\b{_LEAD}\s+(?:the\s+)?[`'\"]*({_DOTTED})", re.IGNORECASE)
_QUOTED = re.compile(rf"``({_DOTTED})(?:\(\))?``|`({_DOTTED})(?:\(\))?`|'({_DOTTED})(?:\(\))?'"
                     rf"|\"({_DOTTED})(?:\(\))?\"")
# plain words that follow "use" in prose and never name code
_PROSE = frozenset("""a an the it its this that these those them instead of in to and or with
    literal literals values value one some any other another either new old same""".split())


@dataclass(frozen=True)
class Candidate:
    name: str  # dotted, as written in the message
    call: str = ""  # "Name(args...)" when the message shows the new call's arguments


def candidates(message: str, *, skip: tuple[str, ...] = ()) -> list[Candidate]:
    """Names the message proposes as the replacement, best first, without ``skip`` (the old
    object's own names)."""
    found: list[Candidate] = []
    for match in _FROM_IMPORT.finditer(message):
        found.append(Candidate(f"{match.group(1)}.{match.group(2)}"))
    for match in _LED.finditer(message):
        name = match.group(1)
        if _looks_like_code(name, message, match.end(1)):
            found.append(Candidate(name, _call_text(message, match.start(1), match.end(1))))
    for match in _QUOTED.finditer(message):
        name = next(g for g in match.groups() if g)
        found.append(Candidate(name, _call_text(message, match.start(), match.end())))
    out: list[Candidate] = []
    for cand in found:
        last = cand.name.rsplit(".", 1)[-1]
        if cand.name in skip or last in skip or any(c.name == cand.name for c in out):
            continue
        out.append(cand)
    return out


def _looks_like_code(name: str, message: str, end: int) -> bool:
    if name.lower() in _PROSE:
        return False
    quoted = end < len(message) and message[end] in "`'\""
    called = message[end:end + 1] == "("
    return quoted or called or "." in name or "_" in name or name != name.lower()


def _call_text(message: str, start: int, end: int) -> str:
    """``Name(...)`` with its arguments when the name is followed by a parenthesised argument
    list that parses as a call; "" otherwise (and for an empty ``()``)."""
    if message[end:end + 1] != "(" or message[end:end + 2] == "()":
        return ""
    depth = 0
    for idx in range(end, len(message)):
        depth += {"(": 1, ")": -1}.get(message[idx], 0)
        if depth == 0:
            text = message[start:idx + 1].strip("`'\"")
            try:
                node = ast.parse(text, mode="eval").body
            except SyntaxError:
                return ""
            return text if isinstance(node, ast.Call) else ""
    return ""
