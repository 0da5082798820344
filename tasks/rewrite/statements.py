"""Import statements, finished: what each edited statement becomes once every alias of it
has been decided (kept, dropped, moved to a new module) and what new imports go where."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ..semantics.scopes import resolve_relative
from .imports import Edits, FromPlan, NewImport, alias, spelling
from .scan import FileScan, ImportInfo


@dataclass
class StmtState:
    drop: set[int] = field(default_factory=set)
    adds: list[NewImport] = field(default_factory=list)
    plain_imports: dict[int, cst.ImportAlias | None] = field(default_factory=dict)
    origin: dict[NewImport, int] = field(default_factory=dict)  # the alias a new name replaces


def finish_statements(scan: FileScan, edits: Edits, states: dict[int, StmtState]) -> None:
    """Turn each import statement's state into edits: aliases kept, the statement reused for
    a new module, new imports merged into an existing one of the block or added after it."""
    by_stmt = {id(i.stmt): i for i in scan.imports}
    for key, state in states.items():
        _finish(scan, edits, states, by_stmt[key], state)

def _finish(scan: FileScan, edits: Edits, states: dict[int, StmtState], info: ImportInfo,
            state: StmtState) -> None:
    stmt = info.stmt
    after = edits.after.setdefault(id(info.container), [])
    if isinstance(stmt, cst.Import):
        if state.plain_imports:
            edits.imports[id(stmt)] = {
                id(stmt.names[i]): new for i, new in state.plain_imports.items()}
        after.extend(_grouped_from(state.adds))
        return
    assert not isinstance(stmt.names, cst.ImportStar)
    keep = [i for i in range(len(stmt.names)) if i not in state.drop]
    plan = FromPlan(keep=keep)
    pending: list[NewImport] = []
    for new in state.adds:
        target = _merge_target(scan, states, info, new) if new.name else None
        if target is not None:
            edits.merge.setdefault(id(target), []).append(alias(new.name, new.asname))
        else:
            pending.append(new)
    if keep:
        pending = _rename_in_place(stmt, info, state, plan, pending)
    if state.drop or keep != list(range(len(stmt.names))):
        if not keep:
            reuse = next((n for n in pending if n.name), None)
            if reuse is not None:
                plan.reuse_module = reuse.module
                plan.reuse_spelling = (reuse.level, reuse.rest)
                plan.reuse_names = _reuse_names(info, reuse.module, pending)
                pending = [n for n in pending if n.module != reuse.module or not n.name]
        edits.froms[id(stmt)] = plan
    for stmt_new in _grouped_from(pending):
        after.append(stmt_new)

def _rename_in_place(stmt: cst.ImportFrom, info: ImportInfo, state: StmtState, plan: FromPlan,
                     pending: list[NewImport]) -> list[NewImport]:
    """A name renamed inside the statement's own module takes the old alias's place when other
    names of the statement stay (``from m import a, old`` -> ``from m import a, new``, not a
    second ``from m import new``); the rest of ``pending`` is returned."""
    own = (len(stmt.relative), cst.helpers.get_full_name_for_node(stmt.module)
           if stmt.module is not None and stmt.relative else "")
    rest: list[NewImport] = []
    for new in pending:
        index = state.origin.get(new)
        if new.name and index is not None and index not in plan.renamed and \
                new.module == info.module and (new.level, new.rest) == own:
            plan.renamed[index] = alias(new.name, new.asname)
        else:
            rest.append(new)
    return rest


def _reuse_names(info: ImportInfo, module: str,
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

def _merge_target(scan: FileScan, states: dict[int, StmtState], info: ImportInfo,
                  new: NewImport) -> cst.ImportFrom | None:
    for other in scan.imports:
        stmt = other.stmt
        if other.block is info.block and isinstance(stmt, cst.ImportFrom) and \
                other.module == new.module and not isinstance(stmt.names, cst.ImportStar) \
                and id(stmt) not in states:
            return stmt
    return None


def _grouped_from(adds: list[NewImport]) -> list[cst.BaseSmallStatement]:
    """One statement per module: ``from m import a, b``; ``import m`` as they come."""
    out: list[cst.BaseSmallStatement] = []
    groups: dict[tuple[str, int, str], list[cst.ImportAlias]] = {}
    for new in adds:
        if not new.name:
            out.append(new.statement())
            continue
        names = groups.setdefault((new.module, new.level, new.rest), [])
        candidate = alias(new.name, new.asname)
        if not any(a.evaluated_name == candidate.evaluated_name
                   and a.evaluated_alias == candidate.evaluated_alias for a in names):
            names.append(candidate)
    for (module, level, rest), names in groups.items():
        out.append(cst.ImportFrom(names=names, **spelling(module, level, rest)))  # type: ignore[arg-type]
    return out


def spelled(scan: FileScan, info: ImportInfo, module: str) -> tuple[int, str]:
    """(level, rest) to keep a relative ``from`` import relative when ``module`` is inside
    the file's top-level package (fewest dots); (0, '') for an absolute import."""
    if not (isinstance(info.stmt, cst.ImportFrom) and info.stmt.relative):
        return 0, ""
    for level in range(1, scan.package.count(".") + 2):
        anchor = resolve_relative("", level, scan.package) or ""
        if module == anchor or module.startswith(anchor + "."):
            return level, module[len(anchor) + 1:]
    return 0, ""


def imported(scan: FileScan, states: dict[int, StmtState], info: ImportInfo,
             new: NewImport) -> bool:
    """``from module import name [as asname]`` already stands (and stays) where it is
    seen from ``info``'s block."""
    for other in scan.imports:
        stmt = other.stmt
        if not (isinstance(stmt, cst.ImportFrom) and new.name and other.module == new.module
                and (other.block is info.block or other.block is scan.module)
                and not isinstance(stmt.names, cst.ImportStar)):
            continue
        dropped = states.get(id(stmt), StmtState()).drop
        if any(i not in dropped and a.evaluated_name == new.name and
               (a.evaluated_alias or a.evaluated_name) == (new.asname or new.name)
               for i, a in enumerate(stmt.names)):
            return True
    return False
