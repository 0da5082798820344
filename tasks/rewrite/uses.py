"""Classify every reference that goes through an import: which rule it concerns, and whether
it is renamed, rewritten (attribute chain or call) or left to a person."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ..config import Rule
from ..semantics.callsite import NOT_CALLED, UNSEARCHED, no_context
from ..semantics.rule_index import RuleIndex
from .dynamic import local_and_qual
from .kinds import call as call_kind
from .scan import FileScan, ImportInfo

GLOBAL_IMPORT = "imported in another function through global/nonlocal: rewrite it by hand"


@dataclass
class Use:
    """One reference to a deprecated name."""

    node: cst.CSTNode  # the Name / Attribute that names it
    rule: Rule
    level: int  # 0: the import binding itself; >0: an attribute chain through it
    dotted: str  # the qualified name it refers to
    module_chain: bool = False  # a chain through a banned module (module rule)
    call: cst.Call | None = None
    awaited: cst.Await | None = None
    context: dict[str, str] = field(default_factory=dict)
    problem: str = ""  # '' when it can be rewritten
    kind: str = "attribute"


@dataclass
class AliasRefs:
    """References of one import alias, classified."""

    uses: list[Use] = field(default_factory=list)
    plain: int = 0  # references no rule concerns (the import is still needed for them)
    odd: bool = False  # referenced where a rename cannot follow (e.g. a string annotation)


def alias_refs(scan: FileScan, info: ImportInfo, alias: cst.ImportAlias, full: str,
               index: RuleIndex) -> AliasRefs:
    """Every reference to ``alias`` (bound by ``info.stmt``), classified. The semantic model
    (:mod:`..semantics.references`) says which reads may read it; here each becomes the
    libcst node a rewrite changes."""
    out = AliasRefs()
    names = dict(_assignment_names(info, alias, full))
    # the reads of every alias of the statement binding one of these names (``import a.b,
    # a.c`` both bind ``a``), as many times as it binds them
    reads = [read for key in _statement_keys(scan, info, alias)
             for read in scan.reads.of_import.get(key, ()) if read.name in names]
    located = []
    for read in reads:
        node = _node(scan, read.at, read.name) if not read.in_string else None
        if node is None or read.foreign:  # in a string type expression, or an import made
            out.odd = True  # through ``global`` elsewhere: a rename cannot follow it there
        if node is not None:
            located.append((_where(scan, node), node, names[read.name], read.foreign))
    # in the file's order (the order of new imports follows it)
    for _, node, base, foreign in sorted(located, key=lambda x: x[0]):
        use = classify(scan, node, base, index)
        if use is None:
            out.plain += 1
        else:
            if foreign:
                use.problem = GLOBAL_IMPORT
            out.uses.append(use)
    return out


def _statement_keys(scan: FileScan, info: ImportInfo,
                    alias: cst.ImportAlias) -> list[tuple[int, int]]:
    """Where each alias of ``info.stmt`` that binds the same name as ``alias`` starts."""
    if isinstance(info.stmt.names, cst.ImportStar):
        return []
    local = local_and_qual(info, alias)[0]
    return [scan.pos(al) for al in info.stmt.names if local_and_qual(info, al)[0] == local]


def _node(scan: FileScan, at: tuple[int, int], dotted: str) -> cst.Name | cst.Attribute | None:
    """The node a read of ``dotted`` starting at ``at`` is: its name, or the attribute chain
    spelling the dotted name. None when the tree has no such node there."""
    node: cst.CSTNode | None = scan.name_at.get(at)
    parts = dotted.split(".")
    if not isinstance(node, cst.Name) or node.value != parts[0]:
        return None
    for part in parts[1:]:
        parent = scan.parents.get(node)
        if not (isinstance(parent, cst.Attribute) and parent.value is node
                and parent.attr.value == part):
            return None
        node = parent
    assert isinstance(node, (cst.Name, cst.Attribute))
    return node


def _where(scan: FileScan, node: cst.CSTNode) -> tuple[int, int]:
    position = scan.positions.get(node)
    return (position.start.line, position.start.column) if position is not None else (0, 0)


def _assignment_names(info: ImportInfo, alias: cst.ImportAlias,
                      full: str) -> list[tuple[str, str]]:
    """(name read, qualified name it stands for) of the names an alias binds."""
    if isinstance(info.stmt, cst.ImportFrom) or alias.asname is not None:
        return [(alias.evaluated_alias or alias.evaluated_name, full)]
    parts = full.split(".")
    return [(".".join(parts[:i]), ".".join(parts[:i])) for i in range(1, len(parts) + 1)]


def classify(scan: FileScan, node: cst.Name | cst.Attribute, base: str,
             index: RuleIndex) -> Use | None:
    """The rule a reference concerns, at the most specific level of its attribute chain
    (the same choice detect makes), or None."""
    levels: list[tuple[cst.CSTNode, str]] = [(node, base)]
    cur: cst.CSTNode = node
    parent = scan.parents.get(cur)
    while isinstance(parent, cst.Attribute) and parent.value is cur:
        levels.append((parent, f"{levels[-1][1]}.{parent.attr.value}"))
        cur, parent = parent, scan.parents.get(parent)
    best: tuple[int, str, str] | None = None
    if index.members.get(base):
        best = (0, base, index.members[base])
    elif index.module_rule(base):
        best = (0, base, index.module_rule(base) or "")
    for level, (_, dotted) in enumerate(levels[1:], start=1):
        if dotted in index.members:
            best = (level, dotted, index.members[dotted])
            break
        if best is None and dotted in index.modules:
            best = (level, dotted, index.modules[dotted])
    if best is None:
        return None
    level, dotted, rid = best
    rule = index.rule(rid)
    target = levels[level][0]
    use = Use(target, rule, level, dotted, module_chain=rule.kind == "module")
    if rule.kind == "call":
        _call_site(scan, use)
    return use


def _call_site(scan: FileScan, use: Use) -> None:
    parent = scan.parents.get(use.node)
    use.kind = "call"
    if not (isinstance(parent, cst.Call) and parent.func is use.node):
        use.kind = "reference"
        use.problem = NOT_CALLED
        return
    use.call = parent
    outer = scan.parents.get(parent)
    awaited = isinstance(outer, cst.Await) and outer.expression is parent
    if awaited and not use.rule.awaitable:
        assert isinstance(outer, cst.Await)
        use.awaited = outer
    use.problem = call_kind.call_problem(use.rule, parent, awaited) or \
        _missing_context(scan, use, parent)


def chain_start(node: cst.CSTNode) -> cst.CSTNode:
    """The first name of an attribute chain: where detect reports a use (``(ws.factory)
    .create`` starts at the bracket for libcst, at ``ws`` for ``ast``)."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return node


def _missing_context(scan: FileScan, use: Use, call: cst.Call) -> str:
    """'' and the expressions for the placeholders the call does not pass, as detect's
    analysis found them in scope for this site (``FileScan.contexts``, by where the chain
    begins), else the reason."""
    at = scan.pos(chain_start(use.node))
    found = scan.contexts.get(at, {}) if scan.contexts is not None else None
    for placeholder in use.rule.required:
        if call_kind.passed_code(use.rule, call, placeholder) is not None:
            continue
        if found is None:
            return UNSEARCHED
        if placeholder not in found:
            return no_context(placeholder)
        use.context[placeholder] = found[placeholder]
    return ""
