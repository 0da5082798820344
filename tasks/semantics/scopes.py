"""A light scope model over stdlib ``ast``: which names a scope binds, and to what.

Detect parses with ``ast`` because it is ten times faster than libcst; this module gives it just
enough of Python's scoping to resolve a name at a use site to the qualified name it was imported
as, and to see when a local name shadows an import. The rewrite asks the same model which
bindings a read may read (:func:`reaching`, through :mod:`.references`): one account of a
file's names for both.

Why this module is long: the scope model is one piece (the bindings of a scope, where each is
complete, and the two questions asked of them); split, the rules of Python's scoping would be
read in two places.
"""

from __future__ import annotations

import ast
import dataclasses
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
    # where the binding is complete: a use at or after it reads it (the end of its statement;
    # of the target for ``for``, ``with ... as`` and comprehensions; of the ``:=``)
    end: tuple[int, int] = (0, 0)
    # imports: the dotted name imported (``import a.b.c`` -> "a.b.c"), "" for a relative one
    # that climbs out of the tree; None for any other binding
    imported: str | None = None
    # (first, last) position of the code every run of which runs this binding first: the rest
    # of its block for a statement that binds (``x = ...``, an import, a def), the body for a
    # ``for``/``with``/``except``/``case`` header; None when it may not run (``:=``)
    dominates: tuple[tuple[int, int], tuple[int, int]] | None = None
    # made in another function through ``global``/``nonlocal``: it runs whenever that function
    # is called, so no binding here replaces it and it replaces none
    foreign: bool = False


@dataclass
class Scope:
    node: ast.AST
    kind: str  # module | function | class | comprehension
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals_: set[str] = field(default_factory=set)  # declared global or nonlocal here
    global_names: set[str] = field(default_factory=set)  # declared global here
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
            # ``global f`` (``nonlocal f``) then ``f = ...``: the module's (the enclosing
            # function's) binding
            home = self.parent
            while home is not None and home.parent is not None and (
                    name in self.global_names or home.kind == "class"):
                home = home.parent
            if home is not None:
                home.bindings.setdefault(name, []).append(
                    dataclasses.replace(binding, dominates=None, foreign=True))
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
        self.end = (0, 0)  # where the binding being collected is complete (Binding.end)
        self.block_end = (0, 0)  # where the block of the statement being collected ends
        self.region: tuple[tuple[int, int], tuple[int, int]] | None = None  # Binding.dominates

    def visit(self, node: ast.AST) -> None:
        """Without ``:=`` an expression binds a name only as a target (Store/Del context):
        every other expression is skipped instead of walked."""
        if not self.walrus and isinstance(node, ast.expr) and \
                not isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del)):
            return
        if isinstance(node, ast.stmt):
            saved = self.end, self.region
            self.end = _end(node)
            self.region = (self.end, self.block_end) if isinstance(node, _BINDS) and not (
                isinstance(node, ast.AnnAssign) and node.value is None) else None
            try:
                super().visit(node)
            finally:
                self.end, self.region = saved
            return
        super().visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        for _, value in ast.iter_fields(node):
            if isinstance(value, list):
                if value and isinstance(value[0], ast.stmt):
                    self._block(value)
                    continue
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def _block(self, body: list[ast.stmt]) -> None:
        saved, self.block_end = self.block_end, _end(body[-1])
        for stmt in body:
            self.visit(stmt)
        self.block_end = saved

    def _header(self, target: ast.AST, body: list[ast.stmt]) -> None:
        """Visit a target bound before ``body`` runs (and on every run of it)."""
        saved = self.end, self.region
        self.end = _end(target)
        self.region = ((body[0].lineno, body[0].col_offset), _end(body[-1])) if body else None
        self.visit(target)
        self.end, self.region = saved

    def build(self) -> Scope:
        node = self.scope.node
        if isinstance(node, FUNCTION_NODES):
            self._params(node.args)
            body: list[ast.AST] = [node.body] if isinstance(node, ast.Lambda) else list(node.body)
            if self.declarations:
                for stmt in body:
                    self._collect_globals(stmt)
            if isinstance(node, ast.Lambda):
                self.visit(node.body)
            else:
                self._block(node.body)
        elif isinstance(node, COMPREHENSIONS):
            for gen in node.generators:
                self._target(gen.target)
        elif isinstance(node, (ast.Module, ast.ClassDef)) and node.body:
            self._block(node.body)
        return self.scope

    def _collect_globals(self, stmt: ast.AST) -> None:
        """The ``global``/``nonlocal`` declarations of this scope (not of a nested one)."""
        todo = [stmt]
        while todo:
            sub = todo.pop()
            if isinstance(sub, (ast.Global, ast.Nonlocal)):
                self.scope.globals_.update(sub.names)
                if isinstance(sub, ast.Global):
                    self.scope.global_names.update(sub.names)
            elif not isinstance(sub, SCOPE_NODES):
                todo.extend(ast.iter_child_nodes(sub))

    def _params(self, args: ast.arguments) -> None:
        every = args.posonlyargs + args.args + ([args.vararg] if args.vararg else []) \
            + args.kwonlyargs + ([args.kwarg] if args.kwarg else [])
        for arg in every:
            binding = Binding(arg.lineno, arg.col_offset, None, True,
                              annotation_name(arg.annotation))  # end (0, 0): bound on entry
            self.scope.params.append(binding)
            self.scope.param_names.append(arg.arg)
            self.scope.add(arg.arg, binding)

    def _bind(self, name: str, node: ast.AST, qualname: str | None = None,
              imported: str | None = None) -> None:
        self.scope.add(name, Binding(getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
                                     qualname, end=self.end, imported=imported,
                                     dominates=self.region))

    def _target(self, target: ast.AST) -> None:
        self.end, self.region = _end(target), None
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                self._bind(sub.id, sub)
            elif isinstance(sub, ast.Starred) and isinstance(sub.value, ast.Name):
                self._bind(sub.value.id, sub)

    # -- statements and expressions that bind ------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, alias, alias.name, alias.name)
            else:
                top = alias.name.split(".")[0]
                self._bind(top, alias, top, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = resolve_relative(node.module or "", node.level, self.package)
        for alias in node.names:
            if alias.name == "*":
                continue
            qual = f"{module}.{alias.name}" if module else None
            self._bind(alias.asname or alias.name, alias, qual, qual or "")

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
                saved = self.end, self.region
                self.end, self.region = _end(sub), None
                self._bind(sub.target.id, sub.target)
                self.end, self.region = saved

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        saved = self.end, self.region
        self.end, self.region = _end(node), None  # it may not run: it kills no binding
        self.visit(node.target)
        self.end, self.region = saved

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._header(node.target, node.body)
        self.visit(node.iter)
        self._block(node.body)
        if node.orelse:
            self._block(node.orelse)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._header(item.optional_vars, node.body)
        self._block(node.body)

    visit_AsyncWith = visit_With

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._bind(node.id, node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            saved = self.end, self.region
            self.end = _end(node.type or node)
            self.region = ((node.body[0].lineno, node.body[0].col_offset), _end(node.body[-1]))
            self._bind(node.name, node)
            self.end, self.region = saved
        self.generic_visit(node)

    def visit_match_case(self, node: ast.match_case) -> None:
        self._header(node.pattern, node.body)
        if node.guard is not None:
            self.visit(node.guard)
        self._block(node.body)

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


# statements that bind their targets whenever they run (their targets kill earlier bindings)
_BINDS = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Import, ast.ImportFrom,
          ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Delete)


def _end(node: ast.AST) -> tuple[int, int]:
    line: int = getattr(node, "end_lineno", None) or getattr(node, "lineno", 0) or 0
    col: int = getattr(node, "end_col_offset", None) or 0
    return line, col


def lookup(scopes: list[Scope], name: str, line: int, col: int) -> Binding | None:
    """The one binding detect reports a use of ``name`` at (line, col) through: of the bindings
    it may read (:func:`reaching`), the last import (so ``try: from new import X / except
    ImportError: X = None`` still resolves, before or after the fallback, in the scope itself
    or from a function), else the last of them."""
    found = reaching(scopes, name, (line, col))
    if not found:
        return None
    imports = [b for b in found if b.qualname]
    return imports[-1] if imports else found[-1]


def reaching(scopes: list[Scope], name: str, at: tuple[int, int]) -> list[Binding]:
    """Every binding of ``name`` a read at ``at`` (line, byte column)
    may read, innermost scope first: in the read's own scope, every binding complete before it;
    a function or comprehension that binds the name reads its own variable, even before binding
    it (Python raises there; the import is not what it reads); a class body reads the enclosing
    scope until it binds the name; from an enclosing scope, which runs to completion before a
    nested function is called, every binding of the name there."""
    own = scopes[-1]
    for scope in reversed(scopes):
        if scope.kind == "class" and scope is not own:
            continue
        found = scope.bindings.get(name)
        if not found:
            continue
        if scope is own:
            before = [b for b in found if b.end <= at]
            if before:
                return _live(before, at)
            if own.kind in ("function", "comprehension"):
                # its own variable, bound later (a loop's later statement): never an import
                # made after the read, which only a later iteration could read
                return [b for b in found if b.imported is None]
            continue
        return found
    return []


def _live(before: list[Binding], at: tuple[int, int]) -> list[Binding]:
    """Of the bindings complete before a read in its own scope, those not killed: the last
    one that runs on every way to the read (``f = other`` then ``f()``: the import before it
    is not read) and those after it (which may run or not)."""
    killer: Binding | None = None
    for b in before:
        if b.dominates is not None and b.dominates[0] <= at <= b.dominates[1] and (
                killer is None or (b.line, b.col) > (killer.line, killer.col)):
            killer = b
    if killer is None:
        return before
    # an import binding what the killer binds is not killed (``import a.b`` then ``import
    # a.c``: ``a`` is one package, ``a.b.X`` still reads the first)
    return [b for b in before if (b.line, b.col) >= (killer.line, killer.col) or b.foreign
            or (b.qualname is not None and b.qualname == killer.qualname)]
