"""A light scope model over stdlib ``ast``: which names a scope binds, and to what.

Detect parses with ``ast`` because it is ten times faster than libcst; this module gives it just
enough of Python's scoping to resolve a name at a use site to the qualified name it was imported
as, and to see when a local name shadows an import.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
SCOPE_NODES = FUNCTION_NODES + (ast.ClassDef,) + COMPREHENSIONS


@dataclass(frozen=True)
class Binding:
    line: int
    col: int
    qualname: str | None  # what an import bound the name to; None for any other binding
    is_param: bool = False
    annotation: str = ""  # for parameters: the last dotted component of the annotation


@dataclass
class Scope:
    node: ast.AST
    kind: str  # module | function | class | comprehension
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals_: set[str] = field(default_factory=set)
    params: list[Binding] = field(default_factory=list)
    param_names: list[str] = field(default_factory=list)
    _self_attrs: set[str] | None = None

    @property
    def self_attrs(self) -> set[str]:
        """Classes: attributes set on ``self`` or the class (found on first use: only the
        context search for ``self.<attr>`` needs them)."""
        if self._self_attrs is None:
            self._self_attrs = _class_attrs(self.node, self.bindings) \
                if isinstance(self.node, ast.ClassDef) else set()
        return self._self_attrs

    def add(self, name: str, binding: Binding) -> None:
        if name in self.globals_ and self.kind != "module":
            return
        self.bindings.setdefault(name, []).append(binding)

    @property
    def is_method(self) -> bool:
        return (self.kind == "function" and self.parent is not None
                and self.parent.kind == "class" and bool(self.param_names)
                and self.param_names[0] == "self")


def _class_attrs(node: ast.ClassDef, bindings: dict[str, list[Binding]]) -> set[str]:
    attrs = set(bindings)
    for sub in ast.walk(node):
        targets: list[ast.expr] = []
        if isinstance(sub, ast.Assign):
            targets = sub.targets
        elif isinstance(sub, (ast.AnnAssign, ast.AugAssign)):
            targets = [sub.target]
        for t in targets:
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) \
                    and t.value.id == "self":
                attrs.add(t.attr)
    return attrs


def resolve_relative(module: str, level: int, package: str) -> str | None:
    """``from ..x import y`` in package ``a.b.c`` -> ``a.b.x``; None when it climbs too high."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts) or (level - 1 == len(parts) and not module):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else [])) or None


def annotation_name(node: ast.expr | None) -> str:
    """The type an annotation names: last component; Optional[X] and X | None unwrap to X."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text: str = node.value
        try:
            node = ast.parse(text, mode="eval").body
        except SyntaxError:
            return text.rsplit(".", 1)[-1]
    if isinstance(node, ast.Subscript) and _last(node.value) == "Optional":
        return annotation_name(node.slice)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = annotation_name(node.left), annotation_name(node.right)
        return right if left == "None" else left
    return _last(node)


def _last(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return ""


class ScopeBuilder(ast.NodeVisitor):
    """Collects the bindings of one scope without entering nested scopes."""

    def __init__(self, scope: Scope, package: str, *, declarations: bool = True,
                 walrus: bool = True) -> None:
        self.scope = scope
        self.package = package
        self.declarations = declarations  # False: the file has no global/nonlocal to look for
        self.walrus = walrus  # False: the file has no ``:=``, so only targets can bind

    def visit(self, node: ast.AST) -> None:
        """Without ``:=`` an expression binds a name only as a target (Store/Del context):
        every other expression is skipped instead of walked."""
        if not self.walrus and isinstance(node, ast.expr) and \
                not isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del)):
            return
        super().visit(node)

    def build(self) -> Scope:
        node = self.scope.node
        if isinstance(node, FUNCTION_NODES):
            self._params(node.args)
            body: list[ast.AST] = [node.body] if isinstance(node, ast.Lambda) else list(node.body)
            if self.declarations:
                for stmt in body:
                    self._collect_globals(stmt)
            for stmt in body:
                self.visit(stmt)
        elif isinstance(node, COMPREHENSIONS):
            for gen in node.generators:
                self._target(gen.target)
        else:
            body = list(getattr(node, "body", []))
            for stmt in body:
                self.visit(stmt)
        return self.scope

    def _collect_globals(self, stmt: ast.AST) -> None:
        for sub in ast.walk(stmt):
            if isinstance(sub, (ast.Global, ast.Nonlocal)):
                self.scope.globals_.update(sub.names)

    def _params(self, args: ast.arguments) -> None:
        every = args.posonlyargs + args.args + ([args.vararg] if args.vararg else []) \
            + args.kwonlyargs + ([args.kwarg] if args.kwarg else [])
        for arg in every:
            binding = Binding(arg.lineno, arg.col_offset, None, True,
                              annotation_name(arg.annotation))
            self.scope.params.append(binding)
            self.scope.param_names.append(arg.arg)
            self.scope.add(arg.arg, binding)

    def _bind(self, name: str, node: ast.AST, qualname: str | None = None) -> None:
        self.scope.add(name, Binding(getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
                                     qualname))

    def _target(self, target: ast.AST) -> None:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                self._bind(sub.id, sub)
            elif isinstance(sub, ast.Starred) and isinstance(sub.value, ast.Name):
                self._bind(sub.value.id, sub)

    # -- statements and expressions that bind ------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, alias, alias.name)
            else:
                top = alias.name.split(".")[0]
                self._bind(top, alias, top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = resolve_relative(node.module or "", node.level, self.package)
        for alias in node.names:
            if alias.name == "*":
                continue
            qual = f"{module}.{alias.name}" if module else None
            self._bind(alias.asname or alias.name, alias, qual)

    def _scope_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        for deco in node.decorator_list:
            self.visit(deco)
        self._bind(node.name, node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scope_def(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._scope_def(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scope_def(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return  # its own scope

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._walrus_only(node)

    visit_SetComp = visit_GeneratorExp = visit_DictComp = visit_ListComp  # type: ignore[assignment]

    def _walrus_only(self, node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                self._bind(sub.target.id, sub.target)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._bind(node.id, node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._bind(node.name, node)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self._bind(node.name, node)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._bind(node.name, node)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self._bind(node.rest, node)
        self.generic_visit(node)


def lookup(scopes: list[Scope], name: str, line: int, col: int) -> Binding | None:
    """The binding a use of ``name`` at (line, col) refers to, innermost scope first.

    In the use's own scope the last binding before the use wins (flow order); in enclosing
    scopes, which run to completion before a nested function is called, an import binding wins
    over other ones so ``try: from new import X / except ImportError: X = None`` still resolves.
    """
    own = scopes[-1]
    for scope in reversed(scopes):
        if scope.kind == "class" and scope is not own:
            continue
        found = scope.bindings.get(name)
        if not found:
            continue
        if scope is own:
            before = [b for b in found if (b.line, b.col) < (line, col)]
            if before:
                return before[-1]
            if own.kind in ("function", "comprehension"):
                return found[0]
            continue
        imports = [b for b in found if b.qualname]
        return imports[-1] if imports else found[-1]
    return None
