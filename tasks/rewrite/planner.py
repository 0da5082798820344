"""Decide every edit of one file for the built-in rule kinds (move, module, call), from one
libcst parse, then hand the edits to :class:`tasks.rewrite.imports.Applier`.

Order: imports are read, each reference through them is classified (:mod:`tasks.rewrite.uses`),
rules with sites left to a person are *blocked* (their old imports stay), then imports are
rewritten in place and the references renamed or rewritten.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst

from tasks.analyze import RuleIndex
from tasks.config import Rule
from tasks.rewrite import call as call_kind
from tasks.rewrite import dynamic
from tasks.rewrite import module as module_kind
from tasks.rewrite import move as move_kind
from tasks.rewrite.imports import Edits, FromPlan, NewImport, alias, dotted
from tasks.rewrite.model import Site
from tasks.rewrite.scan import FileScan, ImportInfo
from tasks.rewrite.uses import AliasRefs, Use, alias_refs

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


@dataclass
class StmtState:
    drop: set[int] = field(default_factory=set)
    adds: list[NewImport] = field(default_factory=list)
    plain_imports: dict[int, cst.ImportAlias | None] = field(default_factory=dict)


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
        self._finish_statements()
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
        for stmt, strings in self.scan.all_stmts:
            for string in strings:
                name = ast.literal_eval(string.value)
                qual = self._module_level_qual(name, stmt)
                rid = self.index.members.get(qual or "") or (
                    self.index.module_rule(qual) if qual else None)
                if rid:
                    self.site(string, self.index.rule(rid), "re-export",
                              "re-exported in __all__: importers of this module break")
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

    def _module_level_qual(self, name: str, stmt: cst.CSTNode) -> str | None:
        line = self.scan.line_of(stmt)
        best: tuple[int, str | None] | None = None
        for info in self.scan.imports:
            if not isinstance(info.container, cst.SimpleStatementLine) or \
                    self.scan.parents.get(info.container) is not self.scan.module:
                continue
            at = self.scan.line_of(info.stmt)
            if at >= line or isinstance(info.stmt.names, cst.ImportStar):
                continue
            for al in info.stmt.names:
                local, qual = _local_and_qual(info, al)
                if local == name and qual and (best is None or at >= best[0]):
                    best = (at, qual)
        return best[1] if best else None

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
        """The old local name is bound by this import alone (no ``except ImportError: f = None``
        fallback), so its uses can follow a rename."""
        scope = moved.info.scope
        name = moved.alias.evaluated_alias or moved.alias.evaluated_name
        return scope is None or len(list(scope.assignments[name])) <= 1

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

    # -- statements -----------------------------------------------------------------------
    def _finish_statements(self) -> None:
        by_stmt = {id(i.stmt): i for i in self.scan.imports}
        for key, state in self.states.items():
            info = by_stmt[key]
            self._finish(info, state)

    def _finish(self, info: ImportInfo, state: StmtState) -> None:
        stmt = info.stmt
        after = self.edits.after.setdefault(id(info.container), [])
        if isinstance(stmt, cst.Import):
            if state.plain_imports:
                self.edits.imports[id(stmt)] = {
                    id(stmt.names[i]): new for i, new in state.plain_imports.items()}
            after.extend(_grouped_from(state.adds))
            return
        assert not isinstance(stmt.names, cst.ImportStar)
        keep = [i for i in range(len(stmt.names)) if i not in state.drop]
        plan = FromPlan(keep=keep)
        pending: list[NewImport] = []
        for new in state.adds:
            target = self._merge_target(info, new) if new.name else None
            if target is not None:
                self.edits.merge.setdefault(id(target), []).append(alias(new.name, new.asname))
            else:
                pending.append(new)
        if state.drop or keep != list(range(len(stmt.names))):
            if not keep:
                reuse = next((n for n in pending if n.name), None)
                if reuse is not None:
                    plan.reuse_module = reuse.module
                    plan.reuse_names = self._reuse_names(info, state, reuse.module, pending)
                    pending = [n for n in pending if n.module != reuse.module or not n.name]
            self.edits.froms[id(stmt)] = plan
        for stmt_new in _grouped_from(pending):
            after.append(stmt_new)

    def _reuse_names(self, info: ImportInfo, state: StmtState, module: str,
                     pending: list[NewImport]) -> list[int | cst.ImportAlias]:
        """Aliases of the reused statement: the original alias node where only the module
        changed (keeps comments and layout), a new alias otherwise."""
        stmt = info.stmt
        assert isinstance(stmt, cst.ImportFrom) and not isinstance(stmt.names, cst.ImportStar)
        out: list[int | cst.ImportAlias] = []
        for new in pending:
            if new.module != module or not new.name:
                continue
            same = next((i for i, a in enumerate(stmt.names)
                         if a.evaluated_name == new.name
                         and (a.evaluated_alias or a.evaluated_name) == new.asname), None)
            out.append(same if same is not None else alias(new.name, new.asname))
        return out

    def _merge_target(self, info: ImportInfo, new: NewImport) -> cst.ImportFrom | None:
        for other in self.scan.imports:
            stmt = other.stmt
            if other.block is info.block and isinstance(stmt, cst.ImportFrom) and \
                    other.module == new.module and not isinstance(stmt.names, cst.ImportStar) \
                    and id(stmt) not in self.states:
                return stmt
        return None


def _drop_await(node: cst.CSTNode) -> cst.CSTNode:
    assert isinstance(node, cst.Await)
    expr = node.expression
    if node.lpar:
        expr = expr.with_changes(lpar=node.lpar, rpar=node.rpar)
    return expr


def _local_and_qual(info: ImportInfo, al: cst.ImportAlias) -> tuple[str, str | None]:
    if isinstance(info.stmt, cst.Import):
        if al.asname is not None:
            return al.evaluated_alias or "", al.evaluated_name
        top = al.evaluated_name.split(".")[0]
        return top, top
    if info.module is None:
        return al.evaluated_alias or al.evaluated_name, None
    return al.evaluated_alias or al.evaluated_name, f"{info.module}.{al.evaluated_name}"


def _grouped_from(adds: list[NewImport]) -> list[cst.BaseSmallStatement]:
    """One statement per module: ``from m import a, b``; ``import m`` as they come."""
    out: list[cst.BaseSmallStatement] = []
    groups: dict[str, list[cst.ImportAlias]] = {}
    for new in adds:
        if not new.name:
            out.append(new.statement())
            continue
        names = groups.setdefault(new.module, [])
        candidate = alias(new.name, new.asname)
        if not any(a.evaluated_name == candidate.evaluated_name
                   and a.evaluated_alias == candidate.evaluated_alias for a in names):
            names.append(candidate)
    for module, names in groups.items():
        out.append(cst.ImportFrom(module=dotted(module), names=names))
    return out

