"""The semantic model's answers for a file this Python cannot parse (a newer Python's syntax,
which libcst reads): taken from libcst's scope analysis, in the same shape
(:class:`..semantics.references.FileReads`), so the engine has one consumer for both.

Only for such files: every file ``ast`` parses is answered by :mod:`..semantics.references`.
The differential test (``tests/tasks/rewrite/test_newer_syntax.py``) runs the engine with both
on every golden case and requires the same bytes and sites, so the two cannot drift apart.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    Assignment,
    BuiltinAssignment,
    ComprehensionScope,
    ExpressionContext,
    ExpressionContextProvider,
    FunctionScope,
    ImportAssignment,
    MetadataWrapper,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from ..semantics.references import FileReads, Key, Read
from ..semantics.scopes import resolve_relative
from .scan import all_strings


def reads_from_libcst(wrapper: MetadataWrapper, package: str) -> FileReads:
    positions = wrapper.resolve(PositionProvider)
    scopes = wrapper.resolve(ScopeProvider)
    parents: dict[cst.CSTNode, cst.CSTNode] = {}

    class _Parents(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            for child in node.children:
                parents[child] = node
            return True

    wrapper.module.visit(_Parents())

    def at(node: cst.CSTNode) -> Key:
        start = positions[node].start
        return start.line, start.column + 1

    out = FileReads()
    for scope in {s for s in scopes.values() if s is not None}:
        for assignment in scope.assignments:
            if isinstance(assignment, Assignment) and not isinstance(assignment,
                                                                     ImportAssignment):
                out.other_bound.add(assignment.name)
            if not isinstance(assignment, ImportAssignment):
                continue
            alias = _alias(assignment)
            if alias is None:
                continue
            key = at(alias)
            out.siblings[key] = [at(a) if (a := _alias(x)) is not None else None
                                 for x in scope.assignments[assignment.name.split(".")[0]]]
            for access in assignment.references:
                if _local_to_a_function(access.scope, assignment.name.split(".")[0], scope):
                    continue
                node = access.node
                if not isinstance(node, (cst.Name, cst.Attribute)) or node not in parents:
                    out.of_import.setdefault(key, []).append(Read((0, 0), assignment.name, True))
                    continue
                base: cst.BaseExpression = node
                while isinstance(base, cst.Attribute):
                    base = base.value
                if isinstance(base, cst.Name):
                    out.of_import.setdefault(key, []).append(
                        Read(at(base), assignment.name, False))
    contexts = wrapper.resolve(ExpressionContextProvider)
    for name, ctx in contexts.items():
        if not isinstance(name, cst.Name) or ctx is not ExpressionContext.LOAD:
            continue
        parent = parents.get(name)
        if isinstance(parent, (cst.ImportAlias, cst.AsName)):
            continue
        home = scopes.get(name)
        qual = _import_qual(home, name.value, package) if home is not None else None
        visible = home is not None and any(not isinstance(a, BuiltinAssignment)
                                           for a in home[name.value])
        read = Read(at(name), name.value, False, isinstance(parent, cst.Arg),
                    isinstance(parent, cst.Attribute))
        out.loads.append((read, qual, visible))
    _import_bound(wrapper.module, package, out)
    module = wrapper.module
    home = scopes.get(module)
    for line in module.body:
        for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
            for string in all_strings(small) or ():
                value = string.evaluated_value
                out.exported[at(string)] = _import_qual(home, value, package) \
                    if home is not None and isinstance(value, str) else None
    return out


def _alias(assignment: object) -> cst.ImportAlias | None:
    """The alias of an import assignment's statement that binds its name."""
    node = getattr(assignment, "node", None)
    name = str(getattr(assignment, "name", ""))
    if not isinstance(node, (cst.Import, cst.ImportFrom)) or isinstance(node.names,
                                                                        cst.ImportStar):
        return None
    for al in node.names:
        local = al.evaluated_alias or al.evaluated_name
        if local == name or (al.asname is None and isinstance(node, cst.Import)
                             and (local == name or local.startswith(name + "."))):
            return al
    return None


def _import_qual(scope: Scope, name: str, package: str) -> str | None:
    for assignment in scope[name]:
        node = getattr(assignment, "node", None)
        if not isinstance(node, (cst.Import, cst.ImportFrom)) or \
                isinstance(node.names, cst.ImportStar):
            continue
        for al in node.names:
            if isinstance(node, cst.Import):
                local = al.evaluated_alias or al.evaluated_name.split(".")[0]
                qual = al.evaluated_name if al.asname else local
            else:
                dotted = cst.helpers.get_full_name_for_node(node.module) if node.module else ""
                module = resolve_relative(dotted or "", len(node.relative), package)
                if module is None:
                    continue
                local = al.evaluated_alias or al.evaluated_name
                qual = f"{module}.{al.evaluated_name}"
            if local == name:
                return str(qual)
    return None


def _local_to_a_function(scope: Scope | None, name: str, home: Scope) -> bool:
    while scope is not None and scope is not home:
        if isinstance(scope, (FunctionScope, ComprehensionScope)) and scope.assignments[name]:
            return True
        if scope.parent is scope:
            break
        scope = scope.parent
    return False


def _import_bound(module: cst.Module, package: str, out: FileReads) -> None:
    """Each name an import binds -> the qualified names, in the file's order."""
    class _Imports(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            for alias in node.names:
                full = alias.evaluated_name
                local = alias.evaluated_alias or full.split(".")[0]
                out.import_bound.setdefault(local, set()).add(
                    full if alias.evaluated_alias else local)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            name = cst.helpers.get_full_name_for_node(node.module) if node.module else ""
            base = resolve_relative(name or "", len(node.relative), package)
            if base is None or isinstance(node.names, cst.ImportStar):
                return
            for alias in node.names:
                out.import_bound.setdefault(alias.evaluated_alias or alias.evaluated_name,
                                            set()).add(f"{base}.{alias.evaluated_name}")

    module.visit(_Imports())
