"""The walk the analysis makes over one file: only hot statements, scopes pushed and popped
as Python creates them, names resolved through their bindings (:mod:`.scopes`)."""

from __future__ import annotations

import ast
import bisect
import contextlib
import functools
import sys
import threading
from collections.abc import Iterator

from ..model import Violation
from .rule_index import RuleIndex
from .scopes import Scope, ScopeBuilder, lookup
from .syntax import annotation_exprs, char_col, defaults, parse_string_annotation, utf8_lines


class ScopeWalker(ast.NodeVisitor):
    """Walks a file's hot statements with its scopes on a stack: ``resolve`` a name at a use to
    the qualified name it was imported as; type expressions (string ones parsed in place) are
    visited with ``in_annotation`` set, and ``in_string`` inside a string annotation."""

    def __init__(self, index: RuleIndex, path: str, module: str, package: str,
                 data: bytes, hot: list[int] | None = None) -> None:
        self.hot = hot  # sorted line numbers that can hold a reference; None = every line
        self.in_annotation = False
        self.in_string = False  # inside a string annotation
        self.index = index
        self.path = path
        self.module = module
        self.package = package
        self.data = data
        self.declarations = b"global" in data or b"nonlocal" in data
        self.walrus = b":=" in data
        self.scopes: list[Scope] = []
        self.found: list[Violation] = []
        self.star_modules: list[tuple[str, ast.ImportFrom]] = []
        self.chain_nodes: set[int] = set()
        self.awaited: set[int] = set()
        self.call_funcs: dict[int, ast.Call] = {}

    @functools.cached_property
    def lines(self) -> list[bytes]:
        """The file's UTF-8 lines, split only when a column or a string annotation needs them."""
        return utf8_lines(self.data)

    def where(self, node: ast.AST) -> tuple[int, int]:
        """1-based line and column (characters) of ``node``, as sites are reported."""
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) + 1
        if not self.data.isascii():
            col = char_col(self.lines, line, col - 1)
        return line, col

    def push(self, node: ast.AST, kind: str) -> None:
        parent = self.scopes[-1] if self.scopes else None
        builder = ScopeBuilder(Scope(node, kind, parent), self.package,
                               declarations=self.declarations, walrus=self.walrus)
        self.scopes.append(builder.build())

    def resolve(self, name: str, node: ast.AST) -> str | None:
        binding = lookup(self.scopes, name, getattr(node, "lineno", 0),
                         getattr(node, "col_offset", 0))
        if binding is None:
            return "__import__" if name == "__import__" else None
        return binding.qualname

    def qualified(self, expr: ast.expr) -> str | None:
        """What ``a.b.c`` refers to through the imports in scope, or None."""
        names: list[str] = []
        while isinstance(expr, ast.Attribute):
            names.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        base = self.resolve(expr.id, expr)
        return ".".join([base, *reversed(names)]) if base else None

    def visit(self, node: ast.AST) -> None:
        """Statements with no line that mentions a needle are skipped: most of a file is."""
        if self.hot is not None and isinstance(node, ast.stmt):
            decorators = getattr(node, "decorator_list", None)
            start = min([node.lineno] + [d.lineno for d in decorators or ()])
            first = bisect.bisect_left(self.hot, start)
            if first == len(self.hot) or self.hot[first] > (node.end_lineno or node.lineno):
                return
        super().visit(node)

    def annotation(self, node: ast.expr) -> None:
        """Visit a type expression; string parts are parsed and visited like ruff does."""
        saved, self.in_annotation = self.in_annotation, True
        try:
            self.visit(node)
        finally:
            self.in_annotation = saved

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.annotation(node.annotation)
        self.visit(node.target)
        if node.value is not None:
            self.visit(node.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        if not (self.in_annotation and isinstance(node.value, str)):
            return
        parsed = parse_string_annotation(node, self.lines)
        if parsed is not None:
            saved, self.hot, self.in_string = self.hot, None, True
            try:
                self.visit(parsed)
            finally:
                self.hot, self.in_string = saved, False

    def visit_Await(self, node: ast.Await) -> None:
        self.awaited.add(id(node.value))
        self.generic_visit(node)

    # -- scopes ----------------------------------------------------------------------------
    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for expr in node.decorator_list + defaults(node.args):
            self.visit(expr)
        for ann in annotation_exprs(node):
            self.annotation(ann)
        self.push(node, "function")
        for stmt in node.body:
            self.visit(stmt)
        self.scopes.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for expr in defaults(node.args):
            self.visit(expr)
        self.push(node, "function")
        self.visit(node.body)
        self.scopes.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            self.visit(expr)
        self.push(node, "class")
        for stmt in node.body:
            self.visit(stmt)
        self.scopes.pop()

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp
                       | ast.GeneratorExp) -> None:
        """The first iterable is evaluated where the comprehension is (``[f for f in f()]``
        calls the enclosing ``f``); the rest inside its scope."""
        first = node.generators[0]
        self.visit(first.iter)
        self.push(node, "comprehension")
        for n, gen in enumerate(node.generators):
            self.visit(gen.target)
            if n:
                self.visit(gen.iter)
            for cond in gen.ifs:
                self.visit(cond)
        for part in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
            self.visit(part)
        self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


DEEP_LIMIT = 20_000  # the recursion limit for a tree too deep for the default one
_DEEP = threading.Lock()
_deep = {"inside": 0, "saved": 0}  # threads inside deeper_recursion, the limit found first


@contextlib.contextmanager
def deeper_recursion(limit: int = DEEP_LIMIT) -> Iterator[None]:
    """Python's recursion limit raised to ``limit`` while any thread is inside. The analysis
    recurses in Python only (a Python-to-Python call takes no C stack since 3.11), so a tree
    ``ast.parse`` could build is walked with a higher limit without risking the C stack. The
    limit is process-wide: it goes back only when the last thread inside leaves (lowering it
    under a thread still deep in a walk can abort the interpreter)."""
    with _DEEP:
        if not _deep["inside"]:
            _deep["saved"] = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_deep["saved"], limit))
        _deep["inside"] += 1
    try:
        yield
    finally:
        with _DEEP:
            _deep["inside"] -= 1
            if not _deep["inside"]:
                sys.setrecursionlimit(_deep["saved"])
