"""Decide every edit of one file for the kinds of the shared semantic model (move, module,
call), from one libcst parse, then hand the edits to :class:`.imports.Applier`.

Order: imports are read (:mod:`.reading`), each reference through them classified
(:mod:`.uses`), rules with sites left to a person are *blocked* (their old imports stay), then
imports are rewritten in place and the references renamed or rewritten. Names follow the alias
policy of :mod:`.names`: the file's bindings are kept where possible, a new name is used only
where it is free, else a fresh alias (never the deprecated name); a renaming re-export keeps
the module's public name. Sites the semantic model leaves to a person before any rewrite (names
inside string annotations) are carried in as ``held``.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

import libcst as cst

from ..config import Rule
from ..semantics.analyze import STILL_USED, star_reason
from ..semantics.rule_index import RuleIndex
from . import dynamic
from .calls import add_call, replace_expr
from .imports import Edits, FromPlan, NewImport, alias
from .kinds import module as module_kind
from .model import Site
from .names import Namer
from .reading import Moved, Reading, read_imports
from .scan import FileScan, ImportInfo
from .statements import StmtState, finish_statements, imported, spelled
from .uses import AliasRefs, Use, chain_start

RE_EXPORTED = "re-exported in __all__"


class Planner:
    def __init__(self, scan: FileScan, path: str, rules: list[Rule],
                 held: Sequence[Site] = ()) -> None:
        self.scan = scan
        self.path = path
        self.index = RuleIndex.build(rules)
        self.names = Namer(scan)
        self.edits = Edits()
        self.rewritten: list[Site] = []
        self.manual: list[Site] = list(held)
        self.states: dict[int, StmtState] = {}
        self.blocked: dict[str, str] = {s.rule: STILL_USED for s in held}
        self.exported: set[str] = set()  # local names re-exported in ``__all__``
        self.added: set[tuple[int, NewImport]] = set()
        self.reading = Reading()
        self._moved_at: dict[tuple[int, int], list[Moved]] | None = None  # by where they start

    # -- sites ----------------------------------------------------------------------------
    def site(self, node: cst.CSTNode, rule: Rule, kind: str, reason: str = "") -> None:
        line, col = self.scan.pos(node)
        (self.manual if reason else self.rewritten).append(
            Site(self.path, line, col, rule.id, kind, reason))

    def state(self, info: ImportInfo) -> StmtState:
        return self.states.setdefault(id(info.stmt), StmtState())

    # -- the steps ------------------------------------------------------------------------
    def plan(self) -> Edits:
        self.reading = reading = read_imports(self.scan, self.index)
        reexported = self._re_exports()
        self._dynamic()
        for refs in [m.refs for m in reading.moved] + [c[3] for c in reading.chains]:
            for use in refs.uses:
                if use.problem:
                    self.blocked.setdefault(use.rule.id, STILL_USED)
        for rid in reexported:  # detect gives sites left to a person precedence
            self.blocked.setdefault(rid, RE_EXPORTED)
        for info, rule in reading.stmt_sites:
            self.site(info.stmt, rule, "import", self.blocked.get(rule.id, ""))
        for moved in reading.moved:
            self._move_alias(moved)
        for info, al, idx, refs in reading.chains:
            self._chain_uses(info, al, idx, refs)
        finish_statements(self.scan, self.edits, self.states)
        return self.edits

    def _re_exports(self) -> list[str]:
        """``__all__`` naming a deprecated import: a move or module rule is rewritten (the
        public name is kept); a call rule is left to a person and its import stays."""
        blocked = []
        for string, rid in dynamic.re_exports(self.scan, self.index):
            rule = self.index.rule(rid)
            if rule.kind == "call":
                self.site(string, rule, "re-export", dynamic.REEXPORT_REASON)
                blocked.append(rid)
            else:
                self.site(string, rule, "re-export")
                self.exported.add(str(ast.literal_eval(string.value)))
        return blocked

    def _dynamic(self) -> None:
        for call, rid in dynamic.string_imports(self.scan, self.index):
            self.site(call, self.index.rule(rid), "string-import", dynamic.STRING_REASON)
        seen: set[tuple[int, str]] = set()
        for stmt, rid, name in dynamic.star_uses(self.scan, self.index):
            if (id(stmt), rid) not in seen:
                seen.add((id(stmt), rid))
                self.site(stmt, self.index.rule(rid), "star-import",
                          star_reason(name))

    # -- moved aliases --------------------------------------------------------------------
    def _move_alias(self, moved: Moved) -> None:
        rule, info = moved.rule, moved.info
        reason = self.blocked.get(rule.id, "")
        if moved.site_at is not None:
            self.site(moved.site_at, rule, "import", reason)
        fixable = [u for u in moved.refs.uses if not u.problem]
        for use in moved.refs.uses:
            if use.problem:
                self.site(chain_start(use.node), use.rule, use.kind, use.problem)
        if reason:  # the old import stays; what can be rewritten still is
            if rule.kind == "call" and any(u.level == 0 for u in fixable):
                self._new_binding(moved, keep_old=True)
            elif rule.kind != "call":
                fixable = [u for u in fixable if u.level > 0 or u.rule is not rule]
            self._rewrite_uses(moved, fixable)
            return
        if moved.index < 0:  # ``from a.old import *``
            module = moved.target[0]
            self.edits.froms[id(info.stmt)] = FromPlan(
                reuse_module=module, reuse_spelling=spelled(self.scan, info, module))
            return
        self.state(info).drop.add(moved.index)
        if moved.target[1] == "":
            self._plain_import(moved)
        else:
            self._new_binding(moved, keep_old=False)
        self._rewrite_uses(moved, fixable)

    def _plain_import(self, moved: Moved) -> None:
        """``import a.old as m`` -> ``import a.new as m``; ``import mock`` -> ``from unittest
        import mock`` (the binding and its uses stay); else ``import a.new`` with the uses
        following (under a fresh alias when ``a`` means something else here)."""
        new, state = moved.target[0], self.state(moved.info)
        parent, _, last = new.rpartition(".")
        if moved.alias.asname is not None:
            state.plain_imports[moved.index] = alias(new)
            moved.local = moved.old_local
        elif "." not in moved.full and parent and last == moved.full:
            state.plain_imports[moved.index] = None
            self._add(moved.info, NewImport(parent, last, last))
            moved.local = moved.old_local
        elif self.names.head_free(new):
            state.plain_imports[moved.index] = alias(new)
        else:
            moved.local = self.names.fresh(new)
            state.plain_imports[moved.index] = alias(new, moved.local)

    def _new_binding(self, moved: Moved, *, keep_old: bool) -> None:
        module, name = moved.target
        old_local, full = moved.old_local, f"{module}.{name}"
        if module == self.scan.module_name:  # the new name is defined in this very file
            moved.local = name
            return
        if keep_old:  # both bindings live on: the new one needs a name of its own
            local = name if name != old_local and self.names.free(name, full) else \
                self.names.fresh(full, old_local)
        elif moved.alias.asname is not None or name == old_local:
            local = old_local  # the file's own alias, or the same name: nothing to rename
        elif old_local not in self.exported and self._bound_as(moved.info, full):
            local = self._bound_as(moved.info, full)  # already imported here: reuse it
        elif old_local in self.exported or moved.refs.odd or not self._only_binding(moved):
            local = old_local  # a public name, or uses a rename cannot follow
        elif self.names.free(name, full):
            local = name
        else:
            local = self.names.fresh(full, old_local)
        moved.local = local
        spelling = spelled(self.scan, moved.info, module)
        new = NewImport(module, name, local, *spelling)
        self.state(moved.info).origin.setdefault(new, moved.index)
        self._add(moved.info, new)

    def _bound_as(self, info: ImportInfo, full: str) -> str:
        """The local name a visible ``from`` import already binds ``full`` to, or ''."""
        module, _, name = full.rpartition(".")
        for local, quals in self.scan.import_bound.items():
            if quals == {full} and self.names.free(local, full) and imported(
                    self.scan, self.states, info, NewImport(module, name, local)):
                return local
        return ""

    def _only_binding(self, moved: Moved) -> bool:
        """Every binding of the old local name is an import moving to the same place (no
        ``except ImportError: f = None`` fallback), so its uses can follow a rename."""
        siblings = self.scan.reads.siblings.get(self.scan.pos(moved.alias))
        if siblings is None:
            return True
        if self._moved_at is None:
            self._moved_at = {}
            for m in self.reading.moved:
                if m.index >= 0:
                    self._moved_at.setdefault(self.scan.pos(m.alias), []).append(m)
        for key in set(siblings):
            if key is None or not any(m.target == moved.target and m.alias.asname is None
                                      and not self.blocked.get(m.rule.id)
                                      for m in self._moved_at.get(key, [])):
                return False
        return True

    def _rewrite_uses(self, moved: Moved, uses: list[Use]) -> None:
        for use in uses:
            if use.level == 0 and use.rule is moved.rule:
                self._binding_use(moved, use)
            else:
                self._chain_use(moved.info, use)

    def _binding_use(self, moved: Moved, use: Use) -> None:
        local = moved.local
        if use.kind == "call":
            self._call(moved.info, use, local)
            return
        if moved.target[1] == "":  # ``import a.old``: ``a.old.X`` follows the import
            if local and local == moved.old_local:
                return  # the binding was kept: its uses stay
            new = module_kind.mapped(use.rule, use.dotted)
            if isinstance(use.node, cst.Attribute):
                self.site(chain_start(use.node), use.rule, "attribute")
            replace_expr(self.edits, use.node, local + new[len(moved.target[0]):] if local else new)
            return
        if local != moved.old_local and isinstance(use.node, cst.Name):
            replace_expr(self.edits, use.node, local)

    # -- chains through imports no rule moves ---------------------------------------------
    def _chain_uses(self, info: ImportInfo, al: cst.ImportAlias, idx: int,
                    refs: AliasRefs) -> None:
        dropping = not refs.plain and not refs.odd and not any(u.problem for u in refs.uses)
        dropped = dynamic.local_and_qual(info, al) if dropping else ("", "")
        for use in refs.uses:
            if use.problem:
                self.site(chain_start(use.node), use.rule, use.kind, use.problem)
            else:
                self._chain_use(info, use, dropped)
        if dropping:
            self.state(info).drop.add(idx)
            if isinstance(info.stmt, cst.Import):
                self.state(info).plain_imports[idx] = None

    def _chain_use(self, info: ImportInfo, use: Use,
                   dropped: tuple[str, str] = ("", "")) -> None:
        if use.module_chain:
            module = new = module_kind.mapped(use.rule, use.dotted)
        else:
            new = use.rule.new
            module = new.rpartition(".")[0]
        new = self._module_ref(info, module, dropped) + new[len(module):]
        if use.kind == "call":
            self._call(info, use, new)
            return
        self.site(chain_start(use.node), use.rule, "attribute")
        replace_expr(self.edits, use.node, new)

    def _module_ref(self, info: ImportInfo, module: str, dropped: tuple[str, str]) -> str:
        """How ``module`` is spelled at a use: itself (``import module`` reused or added) when
        its first part is free in the file, else a fresh alias (``import c.d as c_d``)."""
        if not self.names.head_free(module, dropped):
            local = self.names.fresh(module)
            self._add(info, NewImport(module, "", local))
            return local
        for other in self.scan.imports:
            visible = other.block is info.block or other.block is self.scan.module
            if isinstance(other.stmt, cst.Import) and visible and id(other.stmt) not in \
                    self.states and any(a.evaluated_name == module and a.asname is None
                                        for a in other.stmt.names):
                return module
        self._add(info, NewImport(module))
        return module

    def _add(self, info: ImportInfo, new: NewImport) -> None:
        """Add ``new`` next to ``info``'s statement unless this block (or the module) already
        gets it or already imports it."""
        if new.module == self.scan.module_name or imported(self.scan, self.states, info, new):
            return  # never import a file into itself, nor a name twice
        key = (id(info.block), new)
        if key in self.added or (id(self.scan.module), new) in self.added:
            return
        self.added.add(key)
        self.state(info).adds.append(new)

    def _call(self, info: ImportInfo, use: Use, callee: str) -> None:
        self.site(chain_start(use.node), use.rule, "call")
        for imp in use.rule.imports:
            module, _, name = imp.rpartition(".")
            if self.scan.import_bound.get(name) != {imp}:
                self._add(info, NewImport(module, name, name))
        add_call(self.edits, use, callee)

