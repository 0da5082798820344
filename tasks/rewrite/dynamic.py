"""Sites no rule can rewrite mechanically, reported for a person exactly where detect reports
them: imports by string (``importlib.import_module("a.old")``, ``__import__("a.old")``), names
a star import (``from a import *``) may bring in, and ``__all__`` re-exports."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from ..semantics.analyze import REEXPORT_REASON, STRING_IMPORTERS, STRING_REASON
from ..semantics.rule_index import RuleIndex
from .scan import FileScan, ImportInfo

__all__ = ["REEXPORT_REASON", "STRING_REASON", "qualified", "re_exports", "star_uses",
           "string_imports", "local_and_qual"]


def qualified(scan: FileScan, expr: cst.BaseExpression) -> str | None:
    """What ``a.b.c`` refers to through the imports in scope (builtin ``__import__`` too)."""
    names: list[str] = []
    while isinstance(expr, cst.Attribute):
        names.append(expr.attr.value)
        expr = expr.value
    if not isinstance(expr, cst.Name):
        return None
    base = import_qual(scan, expr)
    if base is None:
        return "__import__" if expr.value == "__import__" and not _bound(scan, expr) else None
    return ".".join([base, *reversed(names)])


def _bound(scan: FileScan, name: cst.Name) -> bool:
    load = scan.reads_at.get(scan.pos(name))
    return load is not None and load[2]


def import_qual(scan: FileScan, name: cst.Name) -> str | None:
    """The qualified name an import in scope binds ``name`` to, or None."""
    load = scan.reads_at.get(scan.pos(name))
    return load[1] if load is not None else None


def string_imports(scan: FileScan, index: RuleIndex) -> Iterator[tuple[cst.Call, str]]:
    """(call, rule id) for each import by a literal string of a deprecated module."""
    if not scan.by_string:
        return
    for call in _calls(scan.module):
        if not call.args or call.args[0].keyword is not None or call.args[0].star:
            continue
        arg = call.args[0].value
        if not isinstance(arg, cst.SimpleString) or qualified(scan, call.func) \
                not in STRING_IMPORTERS:
            continue
        target = ast.literal_eval(arg.value)
        if not isinstance(target, str):
            continue
        rid = index.module_rule(target) or next(
            (r for n, r in index.members.items()
             if n.rsplit(".", 1)[0] == target or n == target), None)
        if rid:
            yield call, rid


def _calls(module: cst.Module) -> list[cst.Call]:
    found: list[cst.Call] = []

    class V(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    module.visit(V())
    return found


def star_uses(scan: FileScan, index: RuleIndex) -> Iterator[tuple[cst.ImportFrom, str, str]]:
    """(star import, rule id, name) for a bare name a ``from m import *`` may provide (not a
    call's argument: libcst's engine never asked about those, detect does)."""
    stars = [(i.stmt, i.module) for i in scan.imports if isinstance(i.stmt, cst.ImportFrom)
             and isinstance(i.stmt.names, cst.ImportStar) and i.module]
    if not stars:
        return
    for read, qual, _ in scan.reads.loads:
        if read.in_call_args or read.attr_base or qual is not None:
            continue
        for stmt, module in stars:
            name = read.name.split(".")[0]
            rid = index.members.get(f"{module}.{name}")
            if rid and scan.line_of(stmt) <= read.at[0]:
                yield stmt, rid, name


def re_exports(scan: FileScan, index: RuleIndex) -> Iterator[tuple[cst.SimpleString, str]]:
    """(string, rule id) for each ``__all__`` entry naming a deprecated import (the import
    detect resolves it to)."""
    for _, strings in scan.all_stmts:
        for string in strings:
            qual = scan.reads.exported.get(scan.pos(string))
            rid = index.members.get(qual or "") or (
                index.module_rule(qual) if qual else None)
            if rid:
                yield string, rid


def local_and_qual(info: ImportInfo, al: cst.ImportAlias) -> tuple[str, str]:
    """(local name, qualified name) an import alias binds ('' when a relative import climbs
    out of the tree)."""
    if isinstance(info.stmt, cst.Import):
        if al.asname is not None:
            return al.evaluated_alias or "", al.evaluated_name
        top = al.evaluated_name.split(".")[0]
        return top, top
    if info.module is None:
        return al.evaluated_alias or al.evaluated_name, ""
    return al.evaluated_alias or al.evaluated_name, f"{info.module}.{al.evaluated_name}"
