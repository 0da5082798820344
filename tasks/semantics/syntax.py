"""Small pieces of ``ast`` reading the analysis needs: byte and character columns, a file's
UTF-8 lines, string annotations parsed in place, ``__all__`` values, a function's defaults and
annotations."""

from __future__ import annotations

import ast
import io
import re
import tokenize

_LINE_SPLIT = re.compile(rb"\r\n|\r|\n")
_STRING_START = re.compile(rb"[rRuU]?('\'\'|\"\"\"|'|\")")


def char_col(lines: list[bytes], line: int, byte_col: int) -> int:
    """ast's UTF-8 byte offset -> ruff's 1-based character column."""
    if 0 < line <= len(lines):
        raw = lines[line - 1]
        if not raw.isascii():
            return len(raw[:byte_col].decode("utf-8", "replace")) + 1
    return byte_col + 1


def parse_string_annotation(node: ast.Constant, lines: list[bytes]) -> ast.expr | None:
    """A one-line string type expression, parsed, with positions moved to where it sits."""
    if not 0 < node.lineno <= len(lines) or node.end_lineno != node.lineno:
        return None
    opening = _STRING_START.match(lines[node.lineno - 1], node.col_offset)
    if opening is None:
        return None
    try:
        expr = ast.parse(str(node.value).strip(), mode="eval").body
    except SyntaxError:
        return None
    shift = opening.end() + (len(str(node.value)) - len(str(node.value).lstrip()))
    for sub in ast.walk(expr):
        if isinstance(sub, (ast.expr, ast.arg, ast.keyword)):
            if sub.lineno != 1:
                return None  # a multi-line string: positions cannot be mapped back
            sub.lineno = sub.end_lineno = node.lineno
            sub.col_offset += shift
            sub.end_col_offset = (sub.end_col_offset or 0) + shift
    return expr


def all_value(stmt: ast.stmt) -> ast.List | ast.Tuple | None:
    target: ast.expr | None = None
    value: ast.expr | None = None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        target, value = stmt.target, stmt.value
    if isinstance(target, ast.Name) and target.id == "__all__" and \
            isinstance(value, (ast.List, ast.Tuple)):
        return value
    return None


def defaults(args: ast.arguments) -> list[ast.expr]:
    return list(args.defaults) + [d for d in args.kw_defaults if d is not None]


def annotation_exprs(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    a = node.args
    every = a.posonlyargs + a.args + a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x]
    anns = [arg.annotation for arg in every if arg.annotation is not None]
    return anns + ([node.returns] if node.returns is not None else [])


def utf8_lines(data: bytes) -> list[bytes]:
    """The file's lines as UTF-8 (what ast's byte offsets count in), without a BOM."""
    if data.isascii():
        return _LINE_SPLIT.split(data)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return _LINE_SPLIT.split(data)
    return [line.encode("utf-8") for line in re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))]
