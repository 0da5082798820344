"""Reading a file's imports for the planner: which aliases the rules move (and where to), which
imports only carry attribute chains to a deprecated name, and which ``from`` statements name a
banned module (their own import site)."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ..config import Rule
from ..semantics.rule_index import RuleIndex
from .kinds import module as module_kind
from .kinds import move as move_kind
from .scan import FileScan, ImportInfo
from .uses import AliasRefs, alias_refs


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

    @property
    def old_local(self) -> str:
        """The name the old import binds."""
        return self.alias.evaluated_alias or self.alias.evaluated_name.split(".")[0] \
            if isinstance(self.info.stmt, cst.Import) else \
            self.alias.evaluated_alias or self.alias.evaluated_name


Chain = tuple[ImportInfo, cst.ImportAlias, int, AliasRefs]


@dataclass
class Reading:
    moved: list[Moved] = field(default_factory=list)
    chains: list[Chain] = field(default_factory=list)
    stmt_sites: list[tuple[ImportInfo, Rule]] = field(default_factory=list)


def read_imports(scan: FileScan, index: RuleIndex) -> Reading:
    out = Reading()
    for info in scan.imports:
        if isinstance(info.stmt, cst.Import):
            _plain(scan, index, info, info.stmt, out)
        elif info.module is not None:
            _from(scan, index, info, info.stmt, info.module, out)
    return out


def _plain(scan: FileScan, index: RuleIndex, info: ImportInfo, stmt: cst.Import,
           out: Reading) -> None:
    for idx, al in enumerate(stmt.names):
        full = al.evaluated_name
        rid = index.module_rule(full)
        refs = alias_refs(scan, info, al, full, index)
        if rid:
            rule = index.rule(rid)
            out.moved.append(Moved(info, idx, al, rule, full,
                                   (module_kind.mapped(rule, full), ""), refs, al))
        elif refs.uses:
            out.chains.append((info, al, idx, refs))


def _from(scan: FileScan, index: RuleIndex, info: ImportInfo, stmt: cst.ImportFrom, module: str,
          out: Reading) -> None:
    mod_rid = index.module_rule(module)
    if mod_rid:
        out.stmt_sites.append((info, index.rule(mod_rid)))
    if isinstance(stmt.names, cst.ImportStar):
        if mod_rid:
            rule = index.rule(mod_rid)
            out.moved.append(Moved(info, -1, cst.ImportAlias(cst.Name("_")), rule, module,
                                   (module_kind.mapped(rule, module), "*"), AliasRefs(), None))
        return
    for idx, al in enumerate(stmt.names):
        full = f"{module}.{al.evaluated_name}"
        refs = alias_refs(scan, info, al, full, index)
        member = index.members.get(full)
        sub = index.modules.get(full) if not mod_rid else None
        if member:
            rule = index.rule(member)
            out.moved.append(Moved(info, idx, al, rule, full, move_kind.target(rule), refs, al))
        elif mod_rid:
            rule = index.rule(mod_rid)
            out.moved.append(Moved(info, idx, al, rule, full, (module_kind.mapped(rule, module),
                                                               al.evaluated_name), refs, None))
        elif sub and "." in index.rule(sub).new:
            rule = index.rule(sub)
            parent, _, last = module_kind.mapped(rule, full).rpartition(".")
            out.moved.append(Moved(info, idx, al, rule, full, (parent, last), refs, al))
        elif refs.uses:
            out.chains.append((info, al, idx, refs))
