"""Context awareness for ``call`` rules: where a missing required argument comes from.

The decision mirrors detect's (``tasks.analyze.context_for``) step for step, on libcst nodes:
for each enclosing *function* scope from the innermost outwards (class bodies and comprehensions
are skipped; module scope is not searched):

(a) a parameter whose name is in ``names`` (first in ``names`` order);
(b) a parameter annotated with one of ``annotations`` (last dotted component, Optional/``| None``
    unwrapped; the same helper detect uses);
(c) a local assigned in that function on a line before the call, name in ``names``;
(d) in a method whose first parameter is ``self``: ``self.X`` listed in ``attributes`` that the
    enclosing class assigns somewhere (``self.X = ...`` in any method, or a class-level name).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst

from ..config import ContextSource
from ..semantics.scopes import annotation_name

_DEFS = (cst.FunctionDef, cst.Lambda)
_EMPTY = cst.Module([])


@dataclass
class FunctionInfo:
    params: list[tuple[str, str]] = field(default_factory=list)  # (name, annotation type)
    locals: dict[str, list[int]] = field(default_factory=dict)  # name -> lines bound
    is_method: bool = False
    class_attrs: set[str] = field(default_factory=set)


class BindingCollector(cst.CSTVisitor):
    """Names a function (or class) body binds, without entering nested scopes."""

    def __init__(self, lines: dict[int, int]) -> None:
        self.lines = lines  # id(Name) -> line
        self.bound: dict[str, list[int]] = {}
        self.globals: set[str] = set()
        self.depth = 0

    def _bind(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Name):
            self.bound.setdefault(node.value, []).append(self.lines.get(id(node), 0))
        elif isinstance(node, (cst.Tuple, cst.List)):
            for el in node.elements:
                self._bind(el.value)
        elif isinstance(node, cst.StarredElement):
            self._bind(node.value)

    def visit_Global(self, node: cst.Global) -> None:
        self.globals.update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.globals.update(n.name.value for n in node.names)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind(node.name.name)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind(node.target)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind(node.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._bind(node.name)
        for deco in node.decorators:
            deco.visit(self)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._bind(node.name)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _params(params: cst.Parameters) -> list[cst.Param]:
    every = list(params.posonly_params) + list(params.params)
    if isinstance(params.star_arg, cst.Param):
        every.append(params.star_arg)
    every += list(params.kwonly_params)
    if params.star_kwarg is not None:
        every.append(params.star_kwarg)
    return every


def _annotation(param: cst.Param) -> str:
    if param.annotation is None:
        return ""
    code = _EMPTY.code_for_node(param.annotation.annotation)
    try:
        return annotation_name(ast.parse(code.strip(), mode="eval").body)
    except SyntaxError:
        return ""


def function_info(node: cst.FunctionDef | cst.Lambda, parent_class: cst.ClassDef | None,
                  lines: dict[int, int]) -> FunctionInfo:
    params = _params(node.params)
    info = FunctionInfo(params=[(p.name.value, _annotation(p)) for p in params])
    collector = BindingCollector(lines)
    body = node.body
    body.visit(collector)
    for name, found in collector.bound.items():
        if name in collector.globals:
            continue
        kept = [ln for ln in found if ln]
        if kept:
            info.locals[name] = kept
    if parent_class is not None and params and params[0].name.value == "self":
        info.is_method = True
        info.class_attrs = class_attributes(parent_class, lines)
    return info


def class_attributes(node: cst.ClassDef, lines: dict[int, int]) -> set[str]:
    """Names bound in the class body, plus every ``self.X`` assigned anywhere in the class."""
    collector = BindingCollector(lines)
    node.body.visit(collector)
    attrs = set(collector.bound)

    class V(cst.CSTVisitor):
        def _target(self, target: cst.BaseExpression) -> None:
            if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) \
                    and target.value.value == "self":
                attrs.add(target.attr.value)

        def visit_AssignTarget(self, n: cst.AssignTarget) -> None:
            self._target(n.target)

        def visit_AnnAssign(self, n: cst.AnnAssign) -> None:
            self._target(n.target)

        def visit_AugAssign(self, n: cst.AugAssign) -> None:
            self._target(n.target)

    node.visit(V())
    return attrs


def find_context(source: ContextSource, call_line: int,
                 scopes: list[FunctionInfo]) -> str | None:
    """The expression supplying a placeholder, searching ``scopes`` innermost first."""
    for info in scopes:
        names = dict(info.params)
        for name in source.names:
            if name in names:
                return name
        for name, ann in info.params:
            if ann and ann in source.annotations:
                return name
        for name in source.names:
            if any(line < call_line for line in info.locals.get(name, [])):
                return name
        if info.is_method:
            for attr in source.attributes:
                head, _, tail = attr.partition(".")
                if head == "self" and tail and tail in info.class_attrs:
                    return attr
    return None
