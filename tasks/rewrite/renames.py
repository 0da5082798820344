"""Which uses of a name a module-level import binds follow a rename, as libcst's scope analysis
decides it (the splice renames them at their byte positions, :mod:`.splice`).

Python's scoping, as libcst models it: a function, a lambda or a comprehension that binds the
name anywhere in its own body (an assignment, a ``for`` or ``with`` target, a parameter, a
``def``/``class`` of that name, an import, ``except ... as``, ``del``) makes it local there and
in the functions nested in it, so those uses are not the import's. Decorators, default values,
annotations, class bases and a comprehension's first iterable are evaluated in the enclosing
scope. libcst ties a use only to bindings that come before it in the same scope, so a use in a
function before that function's first binding of the name is the import's for libcst (and an
error for Python); such a file, like anything this module does not model with certainty (a
``global``/``nonlocal`` declaration, a walrus, a ``match`` capture, a binding at module level,
a use inside an f-string), returns None and is left to the libcst engine. A class body that
binds the name reads the import until it does, and its own binding after (the methods never
see it); a comprehension binds its targets before its element is read.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterable

from ..semantics.scopes import resolve_relative
from .fromlines import Stmt, hot_lines, in_type_strings, module_level, walk_statements

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)

Frame = tuple[str, int]  # ("function" | "lambda" | "comprehension" | "class", id of its node)


class _Unsure(Exception):
    """Raised inside the walk: the file is left to libcst."""


def import_uses(tree: ast.Module, names: set[str], hot: list[int]) -> list[ast.Name] | None:
    """The ``Name`` nodes (loads) of ``names`` that resolve to their module-level import, or
    None when that cannot be told with certainty. ``hot``: sorted line numbers that spell one
    of the names; statements spanning none of them are not visited (a use or a binding of a
    name spells it on its own line)."""
    walk = _Walk(names, hot)
    try:
        walk.statements(tree.body, ())
    except (_Unsure, RecursionError):
        return None
    out: list[ast.Name] = []
    for node, frames in walk.uses:
        owner = _owner(walk, node.id, frames)
        if owner is None:
            out.append(node)  # nothing encloses a binding of its own: the module's import
            continue
        before = (node.lineno, node.col_offset) < walk.first[owner, node.id]
        if owner != frames[-1] or owner[0] == "comprehension" or not before:
            continue  # a local (a comprehension binds its targets before its element)
        if owner[0] == "class":
            out.append(node)  # a class body reads the global until it binds its own
            continue
        return None  # before its function's first binding: libcst ties it to the import
    return out


def _owner(walk: _Walk, name: str, frames: tuple[Frame, ...]) -> Frame | None:
    """The innermost frame that binds ``name`` for a use inside ``frames``; a class body's
    bindings count only for uses directly in it."""
    for n in range(len(frames) - 1, -1, -1):
        frame = frames[n]
        if frame[0] == "class" and n != len(frames) - 1:
            continue
        if (frame, name) in walk.first:
            return frame
    return None


class _Walk:
    def __init__(self, names: set[str], hot: list[int]) -> None:
        self.names = names
        self.hot = hot
        self.uses: list[tuple[ast.Name, tuple[Frame, ...]]] = []
        # (frame, name) -> where the frame first binds the name
        self.first: dict[tuple[Frame, str], tuple[int, int]] = {}

    def _spans_hot(self, stmt: ast.stmt) -> bool:
        decorators = getattr(stmt, "decorator_list", None) or ()
        first = min([stmt.lineno] + [d.lineno for d in decorators])
        at = bisect.bisect_left(self.hot, first)
        return at < len(self.hot) and self.hot[at] <= (stmt.end_lineno or stmt.lineno)

    def bind(self, name: str | None, frames: tuple[Frame, ...], node: ast.AST) -> None:
        if name not in self.names:
            return
        if not frames:
            raise _Unsure  # rebound at module level: the libcst engine keeps the old name
        key = (frames[-1], name)
        where = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        if key not in self.first or where < self.first[key]:
            self.first[key] = where

    # -- statements ------------------------------------------------------------------------
    def statements(self, body: Iterable[ast.stmt], frames: tuple[Frame, ...]) -> None:
        for stmt in body:
            if self._spans_hot(stmt):
                self.statement(stmt, frames)

    def statement(self, node: ast.stmt, frames: tuple[Frame, ...]) -> None:
        if isinstance(node, _FUNCTIONS):
            self.bind(node.name, frames, node)
            self.expressions(node.decorator_list, frames)
            self.outer_arguments(node.args, frames)
            self.expression(node.returns, frames)
            inner = (*frames, ("function", id(node)))
            self.parameters(node.args, inner)
            self.statements(node.body, inner)
        elif isinstance(node, ast.ClassDef):
            self.bind(node.name, frames, node)
            self.expressions(node.decorator_list, frames)
            self.expressions(node.bases, frames)
            self.expressions([k.value for k in node.keywords], frames)
            self.statements(node.body, (*frames, ("class", id(node))))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            if self.names.intersection(node.names):
                raise _Unsure
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if frames:  # module-level imports are the splice's to judge
                for alias in node.names:
                    self.bind(alias.asname or alias.name.split(".")[0], frames, alias)
        elif isinstance(node, ast.Match):
            self.expression(node.subject, frames)
            for case in node.cases:
                for p in ast.walk(case.pattern):
                    if isinstance(p, ast.MatchAs | ast.MatchStar) and p.name in self.names or \
                            isinstance(p, ast.MatchMapping) and p.rest in self.names:
                        raise _Unsure
                    if isinstance(p, ast.Name) and p.id in self.names:
                        self.uses.append((p, frames))  # ``case f():``, ``case f.y:``
                self.expression(case.guard, frames)
                self.statements(case.body, frames)
        else:
            self.generic(node, frames)

    def generic(self, node: ast.stmt, frames: tuple[Frame, ...]) -> None:
        for field, value in ast.iter_fields(node):
            if field in ("body", "orelse", "finalbody"):
                self.statements(value, frames)
            elif field == "handlers":
                for handler in value:
                    if handler.name is not None:
                        self.bind(handler.name, frames, handler)
                    self.expression(handler.type, frames)
                    self.statements(handler.body, frames)
            elif isinstance(value, list):
                self.expressions(value, frames)
            elif isinstance(value, ast.AST):
                self.expression(value, frames)

    # -- expressions -----------------------------------------------------------------------
    def expressions(self, nodes: Iterable[ast.AST | None], frames: tuple[Frame, ...]) -> None:
        for node in nodes:
            self.expression(node, frames)

    def expression(self, node: ast.AST | None, frames: tuple[Frame, ...]) -> None:
        if node is None:
            return
        if isinstance(node, ast.Name):
            if node.id in self.names:
                if isinstance(node.ctx, ast.Load):
                    self.uses.append((node, frames))
                else:
                    self.bind(node.id, frames, node)
        elif isinstance(node, ast.Lambda):
            self.outer_arguments(node.args, frames)
            inner = (*frames, ("lambda", id(node)))
            self.parameters(node.args, inner)
            self.expression(node.body, inner)
        elif isinstance(node, _COMPREHENSIONS):
            self.comprehension(node, frames)
        elif isinstance(node, ast.NamedExpr):
            if isinstance(node.target, ast.Name) and node.target.id in self.names:
                raise _Unsure  # binds in the enclosing function, even from a comprehension
            self.expression(node.value, frames)
        elif isinstance(node, ast.JoinedStr):
            if any(isinstance(n, ast.Name) and n.id in self.names for n in ast.walk(node)):
                raise _Unsure  # Python 3.11 does not place these reliably
        else:
            for child in ast.iter_child_nodes(node):
                self.expression(child, frames)

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
                      frames: tuple[Frame, ...]) -> None:
        self.expression(node.generators[0].iter, frames)  # evaluated outside
        inner = (*frames, ("comprehension", id(node)))
        for n, gen in enumerate(node.generators):
            self.expression(gen.target, inner)
            if n:
                self.expression(gen.iter, inner)
            self.expressions(gen.ifs, inner)
        if isinstance(node, ast.DictComp):
            self.expressions([node.key, node.value], inner)
        else:
            self.expression(node.elt, inner)

    def outer_arguments(self, args: ast.arguments, frames: tuple[Frame, ...]) -> None:
        """Defaults and annotations: evaluated where the function is defined."""
        self.expressions(args.defaults, frames)
        self.expressions(args.kw_defaults, frames)
        for arg in self._all(args):
            self.expression(arg.annotation, frames)

    def parameters(self, args: ast.arguments, frames: tuple[Frame, ...]) -> None:
        for arg in self._all(args):
            self.bind(arg.arg, frames, arg)

    @staticmethod
    def _all(args: ast.arguments) -> list[ast.arg]:
        out = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        return out + [a for a in (args.vararg, args.kwarg) if a is not None]


Edit = tuple[int, int, bytes]  # absolute byte span and its new bytes


def rename_edits(data: bytes, starts: list[int], tree: ast.Module, stmts: list[Stmt],
                renamed: dict[str, str], targets: set[str], package: str,
                merged: set[int]) -> list[Edit] | None:
    """The edits renaming every use of a renamed name; None when a name is bound in any other
    way, or another import of the file concerns a module the statements move to (or rename
    in)."""
    top = {node.lineno: node for node in module_level(tree.body)
           if isinstance(node, ast.ImportFrom)}
    ours: set[int] = set()
    for stmt in stmts:
        read = stmt.node or top.get(stmt.first)
        if read is None or read.level or read.module != stmt.module or \
                (renamed and top.get(stmt.first) is not read):
            return None  # not the statement read, or a rename below module level
        ours.add(id(read))
    edits: list[Edit] = []
    if renamed:
        if in_type_strings(tree, set(renamed)):
            return None  # libcst reads the name in a string as a type: it keeps it bound
        uses = import_uses(tree, set(renamed), hot_lines(data, starts, set(renamed)))
        if uses is None:
            return None
        bound_at = {a.name: starts[s.first - 1] for s in stmts for a in s.aliases}
        for use in uses:
            if use.end_lineno != use.lineno or use.end_col_offset is None:
                return None
            start = starts[use.lineno - 1] + use.col_offset
            if data[start:starts[use.lineno - 1] + use.end_col_offset] != use.id.encode():
                return None
            if start < bound_at[use.id]:
                return None  # libcst ties a use before the import to nothing (its scope order)
            edits.append((start, start + len(use.id), renamed[use.id].encode()))
    for other in walk_statements(tree.body, hot_lines(data, starts, {"import"})):
        if not isinstance(other, (ast.Import, ast.ImportFrom)):
            continue
        if id(other) in merged:
            if _concerns(other, renamed, set(), package):
                return None
        elif id(other) not in ours and _concerns(other, renamed, targets, package):
            return None
    return edits


def _concerns(node: ast.Import | ast.ImportFrom, renamed: dict[str, str], targets: set[str],
              package: str) -> bool:
    """Whether another import is one the libcst engine may merge into or reuse (a ``from``
    import from a target module), binds a renamed name, or is a star import while names are
    renamed. A plain ``import``, or a ``from`` import of the target module itself, binds no
    name a ``from`` import could reuse."""
    if isinstance(node, ast.Import):
        return any((a.asname or a.name.split(".")[0]) in renamed for a in node.names)
    base = resolve_relative(node.module or "", node.level, package)
    if base is None or (renamed and any(a.name == "*" for a in node.names)):
        return True
    if any((a.asname or a.name) in renamed for a in node.names):
        return True
    return base in targets
