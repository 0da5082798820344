"""Every name a file reads, tied to the bindings it may read: the reference model the libcst
rewrite engines use, built on the scopes and bindings detect resolves through (:mod:`.scopes`,
:mod:`.walker`), so there is one account of a file's names.

A read is tied the way a rename must follow it: in its own scope, to every binding of the name
complete before it (``try: from a import f / except ImportError: f = None`` then ``f()`` may
read either) but those a later binding that runs on every way to the read replaces
(``f = other`` then ``f()``); a function or comprehension that binds the name reads its own
variable, even before binding it (Python raises, the import is not read); a class body reads
the enclosing scope until it binds the name; from an enclosing scope (functions run after the
module), every binding of the name there (:func:`.scopes.reaching`). Detect reports a use
through the last import among them (:func:`.scopes.lookup`); the rewrite asks "may this use
read that import?" of each, so a rename never misses a reader.

``import a.b.c`` binds ``a`` and spells the dotted names ``a.b`` and ``a.b.c``: a read through
an attribute chain is tied under the longest dotted name some import spells (``a.b.c.X`` to
``import a.b.c`` only, ``a.x`` to every import binding ``a``), as libcst ties it. A name inside
a string type expression (annotations, ``typing.cast``'s first argument, ``TypeVar``/
``NewType`` arguments, subscripts of ``typing`` names, never inside ``Literal[...]``) is read
there, ``in_string``: a rename cannot follow it into the string.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from .rule_index import RuleIndex
from .scopes import Binding, Scope, reaching
from .syntax import all_value, char_col, parse_string_annotation
from .walker import ScopeWalker, deeper_recursion

Key = tuple[int, int]  # (line, 1-based character column): where a node starts, as sites are
_CASTS = ("typing.cast",)
_TYPE_MAKERS = ("typing.TypeVar", "typing.NewType")
_LITERALS = ("typing.Literal", "typing_extensions.Literal")


@dataclass(frozen=True)
class Read:
    """One read of a name (or of a dotted name through an attribute chain)."""

    at: Key  # where its first name starts
    name: str  # the name read ("a", or "a.b.c" through ``import a.b.c``)
    in_string: bool  # inside a string type expression: no node a rename can change
    in_call_args: bool = False  # directly a call's argument or a class's base/keyword value
    attr_base: bool = False  # an attribute is read from it (``name.attr``)
    span: tuple[int, int, int] = (0, 0, 0)  # its first name: line, UTF-8 byte start and end
    # the import it is tied to is made in another function through ``global``/``nonlocal``
    foreign: bool = False


@dataclass
class FileReads:
    """What the rewrite asks about a file's names, answered from one walk."""

    # an import alias (where it starts) -> the reads tied to it, in the file's order
    of_import: dict[Key, list[Read]] = field(default_factory=dict)
    # every load of a name outside strings: the read, the qualified name of an import it may
    # read (None: no import), whether any binding is visible for it
    loads: list[tuple[Read, str | None, bool]] = field(default_factory=list)
    # an import alias -> the import aliases binding the same name in its scope (None for a
    # binding that is not an import)
    siblings: dict[Key, list[Key | None]] = field(default_factory=dict)
    # names some scope binds other than by an import (or declares global/nonlocal)
    other_bound: set[str] = field(default_factory=set)
    # each name an import binds anywhere in the file -> the qualified names it is bound to
    # (in the file's order)
    import_bound: dict[str, set[str]] = field(default_factory=dict)
    # each string of a module-level ``__all__`` (where it starts) -> the qualified name of the
    # import it names, as detect resolves it (None: not an import)
    exported: dict[Key, str | None] = field(default_factory=dict)


def read_names(data: bytes, path: str, package: str, *, tree: ast.Module | None = None,
               hot: list[int] | None = None) -> FileReads:
    """The reads of one file (raises SyntaxError/ValueError when ``ast`` cannot parse it,
    RecursionError when it is too deep to walk). ``tree``: the file's tree, when the caller
    parsed it. ``hot``: sorted line numbers; statements spanning none are not walked (their
    reads are not listed; every scope's bindings still are), for a caller that asks only about
    names those lines spell."""
    if tree is None:
        tree = ast.parse(data, filename=path)
    walker = _ReadWalker(RuleIndex.build([]), path, "", package, data, hot)
    with deeper_recursion():
        return walker.run(tree)


class _ReadWalker(ScopeWalker):
    def run(self, tree: ast.Module) -> FileReads:
        self.out = FileReads()
        self.ascii = self.data.isascii()
        self.chains: dict[int, list[str]] = {}  # id(Name) -> dotted names of its chain
        self.top_attr: list[bool] = [False]  # inside an attribute chain (reset by a call)
        self.args: set[int] = set()  # ids of Names passed directly as call arguments
        self.attr_bases: set[int] = set()  # ids of Names an attribute is read from
        self._seen_scopes: list[Scope] = []
        self.push(tree, "module")
        for stmt in tree.body:
            self.visit(stmt)
            value = all_value(stmt)
            for elt in value.elts if value is not None else ():
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    self.out.exported[self._at(elt.lineno, elt.col_offset)] = \
                        self.resolve(elt.value, stmt)
        imports: list[tuple[int, int, str, str]] = []
        for scope in [self.scopes[0], *self._seen_scopes]:
            self._record_scope(scope)
            imports += [(b.line, b.col, name, b.qualname) for name, bindings
                        in scope.bindings.items() for b in bindings
                        if b.imported is not None and b.qualname]
        for _, _, name, qual in sorted(imports):
            self.out.import_bound.setdefault(name, set()).add(qual)
        return self.out

    # -- scopes ----------------------------------------------------------------------------
    def push(self, node: ast.AST, kind: str) -> None:
        super().push(node, kind)
        if kind != "module":
            self._seen_scopes.append(self.scopes[-1])

    def _record_scope(self, scope: Scope) -> None:
        for name, bindings in scope.bindings.items():
            imports: list[Key | None] = [self._at(b.line, b.col) if b.imported is not None
                                         else None for b in bindings]
            for b in bindings:
                if b.imported is None:
                    self.out.other_bound.add(name)
                else:
                    self.out.siblings[self._at(b.line, b.col)] = imports

    def _at(self, line: int, byte_col: int) -> Key:
        return (line, char_col(self.lines, line, byte_col)) if not self.ascii \
            else (line, byte_col + 1)

    # -- reads -----------------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            return
        chain = self.chains.get(id(node), [])
        name, tie = self._tie(node.id, chain, (node.lineno, node.col_offset))
        read = Read(self._at(node.lineno, node.col_offset), name, self.in_string,
                    id(node) in self.args, id(node) in self.attr_bases,
                    (node.lineno, node.col_offset, node.end_col_offset or 0))
        for binding in tie:
            if binding.imported is not None:
                self.out.of_import.setdefault(self._at(binding.line, binding.col), []).append(
                    dataclasses.replace(read, foreign=True) if binding.foreign else read)
        if isinstance(node.ctx, ast.Load) and not self.in_string:
            qual = next((b.qualname for b in tie if b.imported is not None and b.qualname),
                        None)
            self.out.loads.append((read, qual, self._visible(node.id)))

    def _tie(self, top: str, chain: list[str], at: tuple[int, int]
             ) -> tuple[str, list[Binding]]:
        """The name a read is tied under and the bindings it may read: of those ``top`` may
        read, the ones spelling the longest dotted name of its chain some of them spell
        (``a.b.c.X`` reads ``import a.b.c`` only), else all of them."""
        found = reaching(self.scopes, top, at)
        for dotted in chain:  # longest first, as libcst ties a chain
            spells = _spelling(dotted)
            tied = [b for b in found if spells(b)]
            if tied:
                return dotted, tied
        return top, found

    def _visible(self, name: str) -> bool:
        own = self.scopes[-1]
        return any(name in s.bindings for s in self.scopes if s.kind != "class" or s is own)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name):
            self.attr_bases.add(id(node.value))
        if not self.top_attr[-1]:
            names: list[str] = []
            base: ast.expr = node
            while isinstance(base, ast.Attribute):
                names.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name):
                dotted = [base.id]
                for attr in reversed(names):
                    dotted.append(f"{dotted[-1]}.{attr}")
                self.chains[id(base)] = dotted[:0:-1]
            self.top_attr[-1] = True
            try:
                self.visit(node.value)
            finally:
                self.top_attr[-1] = False
            return
        self.visit(node.value)

    def visit_Call(self, node: ast.Call) -> None:
        self.top_attr.append(False)
        try:
            for arg in node.args:
                inner = arg.value if isinstance(arg, ast.Starred) else arg
                if isinstance(inner, ast.Name):
                    self.args.add(id(inner))
            for kw in node.keywords:
                if isinstance(kw.value, ast.Name):
                    self.args.add(id(kw.value))
            qual = self.qualified(node.func)
            self.visit(node.func)
            written = node.args + [k.value for k in node.keywords]  # as libcst lists them
            if qual in _TYPE_MAKERS:  # libcst reads all but the first argument as types
                for expr in written[1:]:
                    self.annotation(expr)
                return
            if qual in _CASTS and written:
                self.annotation(written[0])
                written = written[1:]
            for expr in written:
                self.visit(expr)
        finally:
            self.top_attr.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in node.bases + [k.value for k in node.keywords]:
            if isinstance(expr, ast.Name):
                self.args.add(id(expr))
        super().visit_ClassDef(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        qual = self.qualified(node.value) if isinstance(node.value, ast.Name) else None
        self.visit(node.value)
        if qual in _LITERALS:  # its strings are values, not type expressions
            saved, self.in_annotation = self.in_annotation, False
            try:
                self.visit(node.slice)
            finally:
                self.in_annotation = saved
        elif qual is not None and qual.startswith(("typing.", "typing_extensions.")):
            self.annotation(node.slice)
        else:
            self.visit(node.slice)

    def visit_Constant(self, node: ast.Constant) -> None:
        if not (self.in_annotation and isinstance(node.value, str)) or self.in_string:
            return
        parsed = parse_string_annotation(node, self.lines)
        if parsed is None:  # a string over several lines: read where the string starts
            try:
                parsed = ast.parse(node.value.strip(), mode="eval").body
            except (SyntaxError, ValueError):
                return
            for sub in ast.walk(parsed):
                sub.lineno, sub.col_offset = node.lineno, node.col_offset  # type: ignore[attr-defined]
        saved, self.in_string = self.in_string, True
        try:
            self.visit(parsed)
        finally:
            self.in_string = saved


def _spelling(dotted: str) -> Callable[[Binding], bool]:
    """Bindings that spell ``dotted``: an ``import a.b.c`` (no ``as``) spells ``a``, ``a.b``
    and ``a.b.c``."""
    def spells(binding: Binding) -> bool:
        imported = binding.imported
        return bool(imported) and binding.qualname == dotted.split(".")[0] and (
            imported == dotted or str(imported).startswith(dotted + "."))
    return spells
