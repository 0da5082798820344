"""Classify every reference that goes through an import: which rule it concerns, and whether
it is renamed, rewritten (attribute chain or call) or left to a person."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ComprehensionScope, FunctionScope, Scope

from ..config import Rule
from ..semantics.callsite import NOT_CALLED, UNSEARCHED, no_context
from ..semantics.rule_index import RuleIndex
from .kinds import call as call_kind
from .scan import FileScan, ImportInfo


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
    """Every reference to ``alias`` (bound by ``info.stmt``), classified."""
    out = AliasRefs()
    if info.scope is None:
        return out
    for name, base in _assignment_names(info, alias, full):
        for assignment in info.scope.assignments[name]:
            if getattr(assignment, "node", None) is not info.stmt:
                continue
            # in the file's order: libcst keeps references in a set, whose order would decide
            # the order of new imports from one run to the next
            for access in sorted(assignment.references, key=lambda a: _where(scan, a.node)):
                if _local_to_a_function(access.scope, name, info.scope):
                    continue  # Python reads that function's own variable, not the import
                node = access.node
                if not isinstance(node, (cst.Name, cst.Attribute)) or node not in scan.parents:
                    out.odd = True
                    continue
                use = classify(scan, node, base, index)
                if use is None:
                    out.plain += 1
                else:
                    out.uses.append(use)
    return out


def _where(scan: FileScan, node: cst.CSTNode) -> tuple[int, int]:
    position = scan.positions.get(node)
    return (position.start.line, position.start.column) if position is not None else (0, 0)


def _local_to_a_function(scope: Scope | None, name: str, home: Scope) -> bool:
    """Whether a function (lambda, comprehension) between the access's scope and the import's
    binds ``name`` itself: then Python reads that local at the access, even where libcst ties
    the access to the import (``f = g(f)`` after ``f = 1`` in a function)."""
    while scope is not None and scope is not home:
        if isinstance(scope, (FunctionScope, ComprehensionScope)) and scope.assignments[name]:
            return True
        if scope.parent is scope:
            break
        scope = scope.parent
    return False


def _assignment_names(info: ImportInfo, alias: cst.ImportAlias,
                      full: str) -> list[tuple[str, str]]:
    """(scope name, qualified name it stands for) of the bindings an alias creates."""
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
