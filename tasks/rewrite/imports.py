"""Import housekeeping by careful in-place edits, so local imports stay local and
``TYPE_CHECKING`` / ``try: ... except ImportError`` structure stays.

An import statement is edited where it stands: aliases dropped (commas fixed), the module of a
``from`` import replaced, new imports merged into an existing ``from m import ...`` of the same
block or added right after the statement they replace. Nothing is ever added twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst


def dotted(name: str) -> cst.Attribute | cst.Name:
    """``a.b.c`` as a libcst expression."""
    expr = cst.parse_expression(name)
    assert isinstance(expr, (cst.Attribute, cst.Name))
    return expr


def alias(name: str, asname: str | None = None) -> cst.ImportAlias:
    as_ = cst.AsName(name=cst.Name(asname)) if asname and asname != name else None
    return cst.ImportAlias(name=dotted(name), asname=as_)


def spelling(module: str, level: int = 0, rest: str = "") -> dict[str, object]:
    """The ``module``/``relative`` fields of a ``from`` import: absolute, or ``level`` dots
    followed by ``rest`` (a relative import kept relative)."""
    if not level:
        return {"module": dotted(module), "relative": []}
    return {"module": dotted(rest) if rest else None, "relative": [cst.Dot()] * level}


@dataclass(frozen=True)
class NewImport:
    """``from module import name as asname``, or ``import module [as asname]`` when name is
    ''. ``module`` is absolute; ``level``/``rest`` spell a ``from`` import relatively."""

    module: str
    name: str = ""
    asname: str = ""
    level: int = 0
    rest: str = ""

    def statement(self) -> cst.BaseSmallStatement:
        if not self.name:
            return cst.Import(names=[alias(self.module, self.asname or None)])
        return cst.ImportFrom(names=[alias(self.name, self.asname or None)],
                              **spelling(self.module, self.level, self.rest))  # type: ignore[arg-type]


@dataclass
class FromPlan:
    """What becomes of one ``from`` import: aliases kept, and the new module it is reused for."""

    keep: list[int] = field(default_factory=list)  # indexes of aliases that stay
    reuse_module: str = ""
    reuse_spelling: tuple[int, str] = (0, "")  # (level, rest) when kept relative
    reuse_names: list[int | cst.ImportAlias] = field(default_factory=list)
    # aliases renamed in place (a rename inside the statement's own module, siblings kept)
    renamed: dict[int, cst.ImportAlias] = field(default_factory=dict)


@dataclass
class Edits:
    """Every change to the tree, keyed by the id of the original node."""

    replace: dict[int, Callable[[cst.CSTNode], cst.CSTNode]] = field(default_factory=dict)
    froms: dict[int, FromPlan] = field(default_factory=dict)
    imports: dict[int, dict[int, cst.ImportAlias | None]] = field(default_factory=dict)
    merge: dict[int, list[cst.ImportAlias]] = field(default_factory=dict)
    after: dict[int, list[cst.BaseSmallStatement]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.replace or self.froms or self.imports or self.merge or self.after)


def with_names(stmt: cst.ImportFrom, names: Sequence[cst.ImportAlias]) -> cst.ImportFrom:
    """``stmt`` with ``names``: aliases that were followed by a comma keep theirs (and any
    comment on it), others take the statement's separator, the last takes the old last comma."""
    old = stmt.names
    assert not isinstance(old, cst.ImportStar)
    last_comma = old[-1].comma if old else cst.MaybeSentinel.DEFAULT
    sep: cst.Comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    for a in old[:-1]:
        if isinstance(a.comma, cst.Comma):
            sep = a.comma
            break
    inner = {id(a) for a in old[:-1]}
    out = [n if id(n) in inner and isinstance(n.comma, cst.Comma) else n.with_changes(comma=sep)
           for n in names[:-1]]
    if names:
        out.append(names[-1].with_changes(comma=_last_comma(names[-1], last_comma, id(names[-1])
                                                             in inner)))
    if stmt.lpar is None and out and isinstance(out[-1].comma, cst.Comma):
        out[-1] = out[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return stmt.with_changes(names=out)


def _last_comma(node: cst.ImportAlias, last: cst.Comma | cst.MaybeSentinel,
                inner: bool) -> cst.Comma | cst.MaybeSentinel:
    """The comma of the alias that is now last: its own when it was inside a parenthesized list
    with a trailing comma (a comment after it survives), re-indented for the closing paren."""
    own = node.comma
    if inner and isinstance(own, cst.Comma) and isinstance(last, cst.Comma):
        mine, theirs = own.whitespace_after, last.whitespace_after
        if isinstance(mine, cst.ParenthesizedWhitespace) and \
                isinstance(theirs, cst.ParenthesizedWhitespace):
            return own.with_changes(whitespace_after=mine.with_changes(
                indent=theirs.indent, last_line=theirs.last_line))
    return last


def _same(a: cst.ImportAlias, b: cst.ImportAlias) -> bool:
    return a.evaluated_name == b.evaluated_name and a.evaluated_alias == b.evaluated_alias


class Applier(cst.CSTTransformer):
    """Applies :class:`Edits` in one pass over the tree."""

    def __init__(self, edits: Edits) -> None:
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode,  # type: ignore[override]
                 ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
        build = self.edits.replace.get(id(original_node))
        if build is not None:
            return build(updated_node)
        return super().on_leave(original_node, updated_node)

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom,
                         ) -> cst.ImportFrom | cst.RemovalSentinel:
        node = updated_node
        plan = self.edits.froms.get(id(original_node))
        if plan is not None and isinstance(node.names, cst.ImportStar):
            return node.with_changes(**spelling(plan.reuse_module, *plan.reuse_spelling),
                                     **_spaces(node))
        if plan is not None:
            assert not isinstance(node.names, cst.ImportStar)
            old = node.names
            if plan.keep:
                order = sorted({*plan.keep, *plan.renamed})
                node = with_names(node, [old[i] if i not in plan.renamed else old[i].with_changes(
                    name=plan.renamed[i].name, asname=plan.renamed[i].asname) for i in order])
            elif plan.reuse_module:
                names = [old[n] if isinstance(n, int) else n for n in plan.reuse_names]
                node = with_names(node.with_changes(
                    **spelling(plan.reuse_module, *plan.reuse_spelling), **_spaces(node)), names)
            else:
                return cst.RemovalSentinel.REMOVE
        extra = self.edits.merge.get(id(original_node), [])
        if extra and not isinstance(node.names, cst.ImportStar):
            names = list(node.names)
            names += [a for a in extra if not any(_same(a, b) for b in names)]
            node = with_names(node, names)
        return node

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import,
                     ) -> cst.Import | cst.RemovalSentinel:
        plan = self.edits.imports.get(id(original_node))
        if plan is None:
            return updated_node
        names: list[cst.ImportAlias] = []
        for orig, upd in zip(original_node.names, updated_node.names, strict=True):
            if id(orig) not in plan:
                names.append(upd)
                continue
            new = plan[id(orig)]
            if new is not None:
                names.append(upd.with_changes(name=new.name, asname=new.asname or upd.asname))
        if not names:
            return cst.RemovalSentinel.REMOVE
        if isinstance(names[-1].comma, cst.Comma):
            names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=names)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine,
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
        extra = self.edits.after.get(id(original_node), [])
        lines = [cst.SimpleStatementLine(body=[s]) for s in extra]
        if not updated_node.body:
            if not lines:
                return cst.RemovalSentinel.REMOVE
            lines[0] = lines[0].with_changes(leading_lines=updated_node.leading_lines)
            return cst.FlattenSentinel(lines)
        if not lines:
            return updated_node
        return cst.FlattenSentinel([updated_node, *lines])

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock,
                            updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if updated_node.body:
            return updated_node
        # every statement of the block was an import that moved elsewhere
        return updated_node.with_changes(body=[cst.SimpleStatementLine(body=[cst.Pass()])])

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite,
    ) -> cst.SimpleStatementSuite:
        extra = self.edits.after.get(id(original_node), [])
        body = list(updated_node.body) + list(extra)
        if not body:
            body = [cst.Pass()]
        return updated_node.with_changes(body=body)


def _spaces(node: cst.ImportFrom) -> dict[str, cst.SimpleWhitespace]:
    """``from.import x`` is valid Python; once its module is spelled out it needs the spaces
    libcst insists on (``from a.b import x``): given with the new spelling, in one change."""
    space = cst.SimpleWhitespace(" ")
    return {name: space for name in ("whitespace_after_from", "whitespace_before_import")
            if not getattr(node, name).value}
