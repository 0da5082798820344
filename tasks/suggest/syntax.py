"""The small ast helpers suggest's marker walk uses: module-level statements through blocks,
dotted names, parameters, docstrings, ``__getattr__`` branches."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..semantics.scopes import resolve_relative

Def = ast.FunctionDef | ast.AsyncFunctionDef


def module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, also those inside ``if``/``try``/``with`` blocks."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from module_statements(stmt.body + stmt.orelse)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            handlers = [s for h in stmt.handlers for s in h.body]
            yield from module_statements(stmt.body + handlers + stmt.orelse + stmt.finalbody)
        elif isinstance(stmt, ast.With):
            yield from module_statements(stmt.body)


def dotted(node: ast.expr) -> str:
    """``a.b.c`` for a Name/Attribute chain, else ""."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    return ".".join([node.id, *reversed(parts)])


def params_of(node: Def, *, method: bool = False) -> tuple[str, ...]:
    args = node.args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    return tuple(names[1:] if method and names else names)


def without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return body[1:]
    return body


def paragraph(doc: str) -> str:
    return " ".join(doc.strip().split("\n\n")[0].split())


def compared_names(test: ast.expr) -> list[str]:
    """``name == "X"`` -> [X]; ``name in ("X", "Y")`` -> [X, Y]."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return []
    right = test.comparators[0]
    if isinstance(test.ops[0], ast.Eq) and isinstance(right, ast.Constant):
        return [right.value] if isinstance(right.value, str) else []
    if isinstance(test.ops[0], ast.In) and isinstance(right, ast.Tuple | ast.List | ast.Set):
        return [e.value for e in right.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def returned(body: list[ast.stmt], package: str) -> str:
    """The dotted object a ``__getattr__`` branch returns, through the branch's own imports."""
    local: dict[str, str] = {}
    for stmt in body:
        if isinstance(stmt, ast.ImportFrom):
            base = resolve_relative(stmt.module or "", stmt.level, package)
            for alias in stmt.names:
                if base is not None:
                    local[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                local[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            name = dotted(stmt.value)
            head, _, rest = name.partition(".")
            if head in local:
                return f"{local[head]}.{rest}" if rest else local[head]
            return name
    return ""
