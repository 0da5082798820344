"""What a file holds: its imports, the names it spells and where each node is, from one libcst
walk; which import each name may read, from the semantic model detect resolves names through
(:mod:`..semantics.references`); and, from detect's analysis, what each call site's
placeholders take (``contexts``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..semantics.callsite import Contexts
from ..semantics.references import FileReads
from ..semantics.scopes import resolve_relative


@dataclass
class ImportInfo:
    """One import statement: where it stands and what it imports from."""

    stmt: cst.Import | cst.ImportFrom
    container: cst.CSTNode  # its SimpleStatementLine / SimpleStatementSuite
    block: cst.CSTNode  # the body holding the container (for merging)
    module: str | None  # ``from`` imports: the absolute module (relative ones resolved)


@dataclass
class FileScan:
    wrapper: MetadataWrapper
    package: str
    reads: FileReads  # which import each name may read (semantics.references)
    module_name: str = ""  # the file's own dotted module
    # the file spells ``import_module`` or ``__import__``: it may import by string
    by_string: bool = True
    imports: list[ImportInfo] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)  # every name the file spells
    all_stmts: list[tuple[cst.CSTNode, list[cst.SimpleString]]] = field(default_factory=list)
    # call site (line, column) -> the expression for each placeholder the call does not pass,
    # from detect's analysis (semantics/callsite.call_contexts): the one context search
    # (None: this Python cannot parse the file, no scope was searched)
    contexts: Contexts | None = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.module = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)
        # parents come from the census walk: libcst's ParentNodeProvider would walk again
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.name_at: dict[tuple[int, int], cst.Name] = {}  # where each name starts
        # each bare load of a name, by where it starts: (read, qualified name of an import it
        # may read, whether any binding is visible)
        self.reads_at = {load[0].at: load for load in self.reads.loads}
        self.import_bound = self.reads.import_bound  # local -> the qualified names imported
        self.module.visit(_Census(self))

    def pos(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based line and column (characters), as detect reports them."""
        start = self.positions[node].start
        return start.line, start.column + 1

    def line_of(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line


class _Census(cst.CSTVisitor):
    """One walk: every node's parent, the imports, the names the file spells, ``__all__``."""

    def __init__(self, scan: FileScan) -> None:
        self.scan = scan
        self.stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.scan.parents[node] = self.stack[-1]
        self.stack.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self.stack.pop()

    def _add(self, stmt: cst.Import | cst.ImportFrom, module: str | None) -> None:
        container = self.scan.parents[stmt]
        block = self.scan.parents.get(container, container)
        if isinstance(container, cst.SimpleStatementSuite):
            block = container
        self.scan.imports.append(ImportInfo(stmt, container, block, module))

    def visit_Import(self, node: cst.Import) -> None:
        self._add(node, None)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        name = cst.helpers.get_full_name_for_node(node.module) if node.module else ""
        self._add(node, resolve_relative(name or "", len(node.relative), self.scan.package))

    def visit_Name(self, node: cst.Name) -> None:
        parent = self.stack[-2] if len(self.stack) > 1 else None
        if isinstance(parent, cst.Attribute) and parent.attr is node or \
                isinstance(parent, cst.Arg) and parent.keyword is node:
            return  # ``x.attr`` and ``f(kw=...)``: not names the file binds or reads
        self.scan.taken.add(node.value)
        self.scan.name_at[self.scan.pos(node)] = node

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if self.scan.parents.get(node) is not self.scan.module:
            return
        for small in node.body:
            strings = all_strings(small)
            if strings is not None:
                self.scan.all_stmts.append((small, strings))


def all_strings(small: cst.BaseSmallStatement) -> list[cst.SimpleString] | None:
    """The strings of ``__all__ = [...]`` (``+=``, annotated), or None for another statement."""
    target: cst.BaseExpression | None = None
    value: cst.BaseExpression | None = None
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
        target, value = small.target, small.value
    if not (isinstance(target, cst.Name) and target.value == "__all__"
            and isinstance(value, (cst.List, cst.Tuple))):
        return None
    return [el.value for el in value.elements if isinstance(el.value, cst.SimpleString)]
