"""``from`` import statements as their bytes spell them, for the splice (:mod:`.splice`): a
line written the way libcst writes it back, matched by a pattern, or a statement over several
lines read through ``ast`` (its aliases' byte positions); and the ``ast`` walks the splice's
guards need (the statements spanning given lines, those that run at module level, the strings
libcst reads as types).

``ast`` columns are UTF-8 byte offsets: a file is read through ``ast`` only when those are byte
offsets into its own lines (ASCII, or UTF-8 without a BOM or another encoding's cookie).
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from ..model import Violation

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)
_ALIAS = rf"{_NAME}(?: as {_NAME})?"
LINE = re.compile(
    rf"(?P<indent>[ \t]*)from (?P<module>{_NAME}(?:\.{_NAME})*) import "
    rf"(?P<names>{_ALIAS}(?:, {_ALIAS})*)(?P<rest>[ \t]*(?:#[^\r\n]*)?)(?P<end>\r?\n|)")
_MODULE_AT = re.compile(rb"from[ \t]+(?P<module>[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)"
                        rb"[ \t]+import(?![A-Za-z0-9_])")
_SPACES = re.compile(rb"[ \t]+")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass
class Alias:
    name: str
    asname: str | None
    start: int  # absolute byte offsets of ``name [as asname]``
    end: int
    text: bytes  # as written
    comma: bytes  # the bytes up to the next alias (b"" for the last)


@dataclass
class Stmt:
    """One ``from M import ...`` statement with sites, as its bytes spell it."""

    module: str
    module_span: tuple[int, int]
    aliases: list[Alias]
    first: int  # its first and last line
    last: int
    node: ast.ImportFrom | None = None
    module_text: bytes = b""  # the module as written
    # a one-line statement that may be split: where its names are, where its line ends, its
    # indentation and the newline a new line takes (the file's first, as libcst writes)
    split: tuple[int, int, int, bytes, bytes] | None = None



def line_starts(data: bytes) -> list[int]:
    """The offset where each line starts, and the end of the data last."""
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def parse_tree(data: bytes, parsed: ast.Module | None) -> ast.Module | None:
    """The file's tree (``parsed`` when the caller had it), when its columns are byte offsets
    into its lines (else None)."""
    if not utf8_offsets(data):
        return None
    if parsed is not None:
        return parsed
    try:
        return ast.parse(data)
    except (SyntaxError, ValueError, RecursionError):
        return None


def one_line_statements(data: bytes, starts: list[int], found: list[Violation]
                         ) -> list[tuple[Stmt, int]] | None:
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
        match = LINE.fullmatch(data[base:starts[number]].decode("latin-1"))
        if match is None:
            return None
        aliases = []
        at = base + match.start("names")
        for text in match["names"].split(", "):
            name, _, asname = text.partition(" as ")
            aliases.append(Alias(name, asname or None, at, at + len(text),
                                  text.encode("latin-1"), b", "))
            at += len(text) + 2
        aliases[-1].comma = b""
        span = (base + match.start("module"), base + match.end("module"))
        stmt = Stmt(match["module"], span, aliases, number, number,
                     module_text=match["module"].encode())
        continued = data[max(base - 3, 0):base].rstrip(b"\r\n").endswith(b"\\")
        if match["end"] and not continued:
            stmt.split = (base + match.start("names"), base + match.end("names"), starts[number],
                          match["indent"].encode("latin-1"), newline)
        out.append((stmt, sites))
    return out


def statements(data: bytes, starts: list[int], found: list[Violation], tree: ast.Module
                ) -> list[tuple[Stmt, int]] | None:
    """The absolute ``from`` imports holding the sites, read from the tree, with their number
    of sites; None when a site lies elsewhere or a statement is not read with certainty."""
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    out: dict[int, tuple[Stmt, int]] = {}
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


def _read(data: bytes, starts: list[int], node: ast.ImportFrom) -> Stmt | None:
    if node.level or not node.module or node.end_lineno is None:
        return None
    at = starts[node.lineno - 1] + node.col_offset
    match = _MODULE_AT.match(data, at)
    if match is None or _SPACES.sub(b"", match["module"]) != node.module.encode():
        return None
    aliases: list[Alias] = []
    for a in node.names:
        if a.end_lineno is None or a.end_col_offset is None:
            return None
        start = starts[a.lineno - 1] + a.col_offset
        end = starts[a.end_lineno - 1] + a.end_col_offset
        if not data.startswith(a.name.encode(), start):
            return None
        aliases.append(Alias(a.name, a.asname, start, end, data[start:end], b""))
    for one, following in zip(aliases, aliases[1:], strict=False):
        one.comma = data[one.end:following.start]
    return Stmt(node.module, match.span("module"), aliases, node.lineno, node.end_lineno, node,
                 match["module"])


def hot_lines(data: bytes, starts: list[int], words: set[str]) -> list[int]:
    """The numbers of the lines that spell one of ``words`` as a whole word, sorted."""
    pattern = re.compile(rb"(?<![A-Za-z0-9_])(?:" + b"|".join(
        re.escape(w.encode()) for w in sorted(words)) + rb")(?![A-Za-z0-9_])")
    return sorted({bisect.bisect_right(starts, m.start()) for m in pattern.finditer(data)})


def walk_statements(body: list[ast.stmt], hot: list[int]) -> Iterator[ast.AST]:
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
                yield from walk_statements(value, hot)
            elif name in ("handlers", "cases"):
                for part in value:
                    yield part
                    for inner, sub in ast.iter_fields(part):
                        if inner == "body":
                            yield from walk_statements(sub, hot)
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


def module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
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
        yield from module_level(inner)


def utf8_offsets(data: bytes) -> bool:
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


_TYPING_CALLS = ("TypeVar", "NewType", "cast")


def in_type_strings(tree: ast.Module, names: set[str]) -> bool:
    """Whether a string (or bytes) libcst may read as a type spells one of ``names`` as a word:
    in an annotation, in a subscript of a name (``Optional['f']``), in a call to ``TypeVar``,
    ``NewType`` or ``cast``. libcst's engine then keeps the old name bound (``G as f``), and
    detect reports only plain string annotations, so the splice must not rename. The values
    are read evaluated (``'\\x66'`` is ``f``)."""
    word = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, sorted(names)))
                      + r")(?![A-Za-z0-9_])")
    return any(word.search(text) for text in _type_strings(tree))


def _type_strings(tree: ast.Module) -> Iterator[str]:
    for part in _type_parts(tree):
        for inner in ast.walk(part):
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str | bytes):
                value = inner.value
                yield value if isinstance(value, str) else value.decode("latin-1")


def _type_parts(tree: ast.Module) -> list[ast.AST]:
    """The expressions libcst may read as types: annotations, subscripts of a name, the
    arguments of TypeVar, NewType and cast. One walk of the tree, written out (``ast.walk``
    takes twice as long, and every renaming file pays it)."""
    parts: list[ast.AST | None] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        cls = node.__class__  # compared by identity: isinstance with unions costs here
        if cls is ast.arg or cls is ast.AnnAssign:
            parts.append(cast(ast.arg, node).annotation)
        elif cls is ast.FunctionDef or cls is ast.AsyncFunctionDef:
            parts.append(cast(ast.FunctionDef, node).returns)
        elif cls is ast.Subscript:
            sub = cast(ast.Subscript, node)
            if sub.value.__class__ is ast.Name:
                parts.append(sub.slice)
        elif cls is ast.Call:
            call = cast(ast.Call, node)
            func = call.func
            last = func.id if isinstance(func, ast.Name) else \
                func.attr if isinstance(func, ast.Attribute) else ""
            if last in _TYPING_CALLS:
                parts += [*call.args, *(k.value for k in call.keywords)]
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                stack += [v for v in value if isinstance(v, ast.AST)]
            elif isinstance(value, ast.AST):
                stack.append(value)
    return [p for p in parts if p is not None]
