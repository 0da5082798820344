"""Decide every edit of one file for the built-in rule kinds (move, module, call), from one
libcst parse, then hand the edits to :class:`tasks.rewrite.imports.Applier`.

Order: imports are read, each reference through them is classified (:mod:`tasks.rewrite.uses`),
rules with sites left to a person are *blocked* (their old imports stay), then imports are
rewritten in place and the references renamed or rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ..config import Rule
from ..semantics.rule_index import RuleIndex
from . import dynamic
from .imports import Edits, FromPlan, NewImport, alias, dotted
from .kinds import call as call_kind
from .kinds import module as module_kind
from .kinds import move as move_kind
from .model import Site
from .scan import FileScan, ImportInfo
from .statements import StmtState, finish_statements
from .uses import AliasRefs, Use, alias_refs

STILL_USED = "still used by sites left to a person"
RE_EXPORTED = "re-exported in __all__"


@dataclass
class Moved:
    """An import alias the rules move: from ``full`` to ``(module, name)``."""

    info: ImportInfo
    index: int
    alias: cst.ImportAlias
    rule: Rule
    full: str
    target: tuple[str, str]  # (module, name); name '' for ``import module``
    refs: AliasRefs
    site_at: cst.CSTNode | None  # where its import site is reported (None: the statement's)
    local: str = ""


class Planner:
    def __init__(self, scan: FileScan, path: str, rules: list[Rule]) -> None:
        self.scan = scan
        self.path = path
        self.index = RuleIndex.build(rules)
        self.edits = Edits()
        self.rewritten: list[Site] = []
        self.manual: list[Site] = []
        self.moved: list[Moved] = []
        self.chains: list[tuple[ImportInfo, cst.ImportAlias, int, AliasRefs]] = []
        self.states: dict[int, StmtState] = {}
        self.blocked: dict[str, str] = {}
        self.reexported: list[str] = []
        self.stmt_sites: list[tuple[ImportInfo, Rule]] = []
        self.added: set[tuple[int, NewImport]] = set()

    # -- sites ----------------------------------------------------------------------------
    def site(self, node: cst.CSTNode, rule: Rule, kind: str, reason: str = "") -> None:
        line, col = self.scan.pos(node)
        (self.manual if reason else self.rewritten).append(
            Site(self.path, line, col, rule.id, kind, reason))

    def state(self, info: ImportInfo) -> StmtState:
        return self.states.setdefault(id(info.stmt), StmtState())

    # -- the steps ------------------------------------------------------------------------
    def plan(self) -> Edits:
        for info in self.scan.imports:
            self._read_import(info)
        self._re_exports()
        self._dynamic()
        for moved in self.moved:
            for use in moved.refs.uses:
                self._note_manual(use)
        for _, _, _, refs in self.chains:
            for use in refs.uses:
                self._note_manual(use)
        for rid in self.reexported:  # detect gives sites left to a person precedence
            self.blocked.setdefault(rid, RE_EXPORTED)
        for info, rule in self.stmt_sites:
            self.site(info.stmt, rule, "import", self.blocked.get(rule.id, ""))
        for moved in self.moved:
            self._move_alias(moved)
        for info, al, idx, refs in self.chains:
            self._chain_uses(info, al, idx, refs)
        finish_statements(self.scan, self.edits, self.states)
        return self.edits

    def _read_import(self, info: ImportInfo) -> None:
        stmt = info.stmt
        if isinstance(stmt, cst.Import):
            for idx, al in enumerate(stmt.names):
                full = al.evaluated_name
                rid = self.index.module_rule(full)
                refs = alias_refs(self.scan, info, al, full, self.index)
                if rid:
                    rule = self.index.rule(rid)
                    self.moved.append(Moved(info, idx, al, rule, full,
                                            (module_kind.mapped(rule, full), ""), refs, al))
                elif refs.uses:
                    self.chains.append((info, al, idx, refs))
            return
        if info.module is None:
            return
        mod_rid = self.index.module_rule(info.module)
        if mod_rid:
            self.stmt_sites.append((info, self.index.rule(mod_rid)))
        if isinstance(stmt.names, cst.ImportStar):
            if mod_rid:
                rule = self.index.rule(mod_rid)
                self.moved.append(Moved(info, -1, cst.ImportAlias(cst.Name("_")), rule,
                                        info.module, (module_kind.mapped(rule, info.module), "*"),
                                        AliasRefs(), None))
            return
        for idx, al in enumerate(stmt.names):
            full = f"{info.module}.{al.evaluated_name}"
            refs = alias_refs(self.scan, info, al, full, self.index)
            member = self.index.members.get(full)
            sub = self.index.modules.get(full) if not mod_rid else None
            if member:
                rule = self.index.rule(member)
                self.moved.append(Moved(info, idx, al, rule, full, move_kind.target(rule),
                                        refs, al))
            elif mod_rid:
                rule = self.index.rule(mod_rid)
                self.moved.append(Moved(info, idx, al, rule, full,
                                        (module_kind.mapped(rule, info.module),
                                         al.evaluated_name), refs, None))
            elif sub and "." in self.index.rule(sub).new:
                rule = self.index.rule(sub)
                parent, _, last = module_kind.mapped(rule, full).rpartition(".")
                self.moved.append(Moved(info, idx, al, rule, full, (parent, last), refs, al))
            elif refs.uses:
                self.chains.append((info, al, idx, refs))

    def _note_manual(self, use: Use) -> None:
        if use.problem:
            self.blocked.setdefault(use.rule.id, STILL_USED)

    def _re_exports(self) -> None:
        """``__all__`` naming a deprecated import: left to a person, the import stays."""
        for string, rid in dynamic.re_exports(self.scan, self.index):
            self.site(string, self.index.rule(rid), "re-export", dynamic.REEXPORT_REASON)
            self.reexported.append(rid)

    def _dynamic(self) -> None:
        for call, rid in dynamic.string_imports(self.scan, self.index):
            self.site(call, self.index.rule(rid), "string-import", dynamic.STRING_REASON)
        seen: set[tuple[int, str]] = set()
        for stmt, rid, name in dynamic.star_uses(self.scan, self.index):
            if (id(stmt), rid) not in seen:
                seen.add((id(stmt), rid))
                self.site(stmt, self.index.rule(rid), "star-import",
                          f"star import may bring in '{name}': import it explicitly")

    # -- moved aliases --------------------------------------------------------------------
    def _move_alias(self, moved: Moved) -> None:
        rule, info = moved.rule, moved.info
        reason = self.blocked.get(rule.id, "")
        if moved.site_at is not None:
            self.site(moved.site_at, rule, "import", reason)
        fixable = [u for u in moved.refs.uses if not u.problem]
        for use in moved.refs.uses:
            if use.problem:
                self.site(use.node, use.rule, use.kind, use.problem)
        if reason:  # the old import stays; what can be rewritten still is
            if rule.kind == "call" and any(u.level == 0 for u in fixable):
                self._new_binding(moved, keep_old=True)
            elif rule.kind != "call":
                fixable = [u for u in fixable if u.level > 0 or u.rule is not rule]
            self._rewrite_uses(moved, fixable)
            return
        if moved.index < 0:  # ``from a.old import *``
            self.edits.froms[id(info.stmt)] = FromPlan(reuse_module=moved.target[0])
            return
        self.state(info).drop.add(moved.index)
        if moved.target[1] == "":  # ``import a.old [as m]``
            self.state(info).plain_imports[moved.index] = alias(moved.target[0])
            moved.local = moved.alias.evaluated_alias or ""
        else:
            self._new_binding(moved, keep_old=False)
        self._rewrite_uses(moved, fixable)

    def _new_binding(self, moved: Moved, *, keep_old: bool) -> None:
        module, name = moved.target
        old_local = moved.alias.evaluated_alias or moved.alias.evaluated_name
        full = f"{module}.{name}"
        if module == self.scan.module_name:  # the new name is defined in this very file
            moved.local = name
            return
        if keep_old:  # both bindings live on: the new one needs a name of its own
            local = name if name != old_local and self._free(name, full) else ""
        elif moved.alias.asname is not None:
            local = old_local
        elif name == old_local:
            local = name
        elif self._free(name, full) and not moved.refs.odd and self._only_binding(moved):
            local = name
        else:
            local = old_local
        moved.local = local
        if local:
            self._add(moved.info, NewImport(module, name, local))

    def _only_binding(self, moved: Moved) -> bool:
        """Every binding of the old local name is an import moving to the same place (no
        ``except ImportError: f = None`` fallback), so its uses can follow a rename."""
        scope = moved.info.scope
        name = moved.alias.evaluated_alias or moved.alias.evaluated_name
        if scope is None:
            return True
        for assignment in scope.assignments[name]:
            node = getattr(assignment, "node", None)
            if not any(m.info.stmt is node and m.target == moved.target and m.alias.asname is None
                       and not self.blocked.get(m.rule.id) for m in self.moved):
                return False
        return True

    def _free(self, name: str, full: str) -> bool:
        bound = self.scan.import_bound.get(name)
        if bound is not None:
            return bound == {full}
        return name not in self.scan.taken

    def _rewrite_uses(self, moved: Moved, uses: list[Use]) -> None:
        for use in uses:
            if use.level == 0 and use.rule is moved.rule:
                self._binding_use(moved, use)
            else:
                self._chain_use(moved.info, use)

    def _binding_use(self, moved: Moved, use: Use) -> None:
        local = moved.local
        if use.kind == "call":
            if not local:
                self.site(use.node, use.rule, "call", f"'{moved.target[1]}' is already bound")
                return
            self._call(moved.info, use, local)
            return
        if moved.target[1] == "":  # ``import a.old``: ``a.old.X`` follows the import
            if not local:
                if isinstance(use.node, cst.Attribute):
                    self.site(use.node, use.rule, "attribute")
                self._replace_expr(use.node, module_kind.mapped(use.rule, use.dotted))
            return
        old_local = moved.alias.evaluated_alias or moved.alias.evaluated_name
        if local and local != old_local and isinstance(use.node, cst.Name):
            self._replace_expr(use.node, local)

    # -- chains through imports no rule moves ---------------------------------------------
    def _chain_uses(self, info: ImportInfo, al: cst.ImportAlias, idx: int,
                    refs: AliasRefs) -> None:
        done = 0
        for use in refs.uses:
            if use.problem:
                self.site(use.node, use.rule, use.kind, use.problem)
                continue
            self._chain_use(info, use)
            done += 1
        if done == len(refs.uses) and not refs.plain and not refs.odd:
            self.state(info).drop.add(idx)
            if isinstance(info.stmt, cst.Import):
                self.state(info).plain_imports[idx] = None

    def _chain_use(self, info: ImportInfo, use: Use) -> None:
        if use.module_chain:
            new = module_kind.mapped(use.rule, use.dotted)
            module = new
        else:
            new = use.rule.new
            module = new.rpartition(".")[0]
        self._ensure_import(info, module)
        if use.kind == "call":
            self._call(info, use, new)
            return
        self.site(use.node, use.rule, "attribute")
        self._replace_expr(use.node, new)

    def _ensure_import(self, info: ImportInfo, module: str) -> None:
        for other in self.scan.imports:
            visible = other.block is info.block or other.block is self.scan.module
            if isinstance(other.stmt, cst.Import) and visible and id(other.stmt) not in \
                    self.states and any(a.evaluated_name == module and a.asname is None
                                        for a in other.stmt.names):
                return
        self._add(info, NewImport(module))

    def _add(self, info: ImportInfo, new: NewImport) -> None:
        """Add ``new`` next to ``info``'s statement unless this block (or the module) already
        gets it."""
        if new.module == self.scan.module_name:
            return  # never import a file into itself
        key = (id(info.block), new)
        if key in self.added or (id(self.scan.module), new) in self.added:
            return
        self.added.add(key)
        self.state(info).adds.append(new)

    # -- calls ----------------------------------------------------------------------------
    def _call(self, info: ImportInfo, use: Use, callee: str) -> None:
        assert use.call is not None
        rule = use.rule
        self.site(use.node, rule, "call")
        for imp in rule.imports:
            module, _, name = imp.rpartition(".")
            if self.scan.import_bound.get(name) != {imp}:
                self._add(info, NewImport(module, name, name))
        context = dict(use.context)

        def build(node: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(node, cst.Call)
            return call_kind.build_call(rule, callee, node, context)

        self.edits.replace[id(use.call)] = build
        if use.awaited is not None:
            self.edits.replace[id(use.awaited)] = _drop_await

    def _replace_expr(self, node: cst.CSTNode, code: str) -> None:
        def build(upd: cst.CSTNode) -> cst.CSTNode:
            return dotted(code).with_changes(lpar=getattr(upd, "lpar", ()),
                                             rpar=getattr(upd, "rpar", ()))

        self.edits.replace[id(node)] = build


def _drop_await(node: cst.CSTNode) -> cst.CSTNode:
    assert isinstance(node, cst.Await)
    expr = node.expression
    if node.lpar:
        expr = expr.with_changes(lpar=node.lpar, rpar=node.rpar)
    return expr


