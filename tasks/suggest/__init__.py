"""``phasegate suggest``: rules from the deprecation markers already in the code.

discover -> pass 1 (files that mention a deprecation: markers, names) -> pass 2 (files that
mention names pass 1 could not place: definitions, re-exports) -> propose (one rule per object)
-> ids, rules already in phases.toml, and detect's count of each proposed rule per phase.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import Config, Rule
from ..discover import discover
from ..errors import EXIT_USAGE, MigrationError
from ..model import FileProblem
from .messages import candidates
from .model import FileFacts, Marker, Suggestion
from .propose import propose
from .resolve import Project, module_map
from .scan import MARKER_NEEDLES, MARKER_SHAPES, make_pool, scan

_BUILTINS = frozenset(dir(builtins))


@dataclass
class Report:
    suggestions: list[Suggestion] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    files_scanned: int = 0
    files_parsed: int = 0


def suggest(config: Config, paths: list[str] | None = None, *, jobs: int | None = None,
            count_uses: bool = True) -> Report:
    """Propose one rule per deprecated object found under ``paths`` (default: the project)."""
    found = discover(config.root, config.exclude)
    sizes = {rel: int(found.stats[rel].st_size) for rel in found.files}
    chosen = _select(found.files, paths or [], config.root)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    pool = make_pool(workers, len(chosen))
    report = Report(problems=list(found.skipped), files_scanned=len(chosen))
    project = Project(config.root, module_map(found.files, config.src))
    try:
        first = scan(str(config.root), {r: sizes[r] for r in chosen}, config.src,
                     MARKER_NEEDLES, pool, workers, MARKER_SHAPES)
        markers = _take(first, project, report)
        by_path = {f.path: f for f in first if not f.problem}
        report.suggestions = propose(markers, project, by_path)
        # pass 2: the names pass 1 could not place (and those the proposed calls' arguments
        # will look up), and the re-exports of the objects that have a replacement; then once
        # more, over the package __init__ files alone, for the objects that gained one
        seen = {f.path for f in first}
        names = sorted((project.wanted | _call_names(markers)) - _BUILTINS)
        olds = _ready_names(report.suggestions)
        for rest in ({r: n for r, n in sizes.items() if r not in seen}, None):
            if rest is None:  # the second round
                olds = _ready_names(report.suggestions) - olds
                names = []
                rest = {r: n for r, n in sizes.items()
                        if r not in seen and r.endswith("__init__.py")}
            if not names and not olds:
                continue
            words = tuple(sorted({n.rsplit(".", 1)[-1].encode() for n in [*names, *olds]}))
            lines = (tuple(n.rsplit(".", 1)[-1].encode() for n in names),
                     tuple(o.encode() for o in sorted(olds)))
            found2 = scan(str(config.root), rest, config.src, words, pool, workers, lines)
            seen.update(f.path for f in found2)
            _take(found2, project, report, markers=False)
            report.suggestions = propose(markers, project, by_path)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    _aliases(report.suggestions, project)
    _name(report.suggestions, config)
    if count_uses:
        count(config, report.suggestions, jobs=jobs)
    return report


def _select(files: list[str], paths: list[str], root: Path) -> list[str]:
    if not paths:
        return files
    prefixes = []
    for raw in paths:
        path = Path(raw).resolve()
        if not path.is_relative_to(root):
            raise MigrationError(f"suggest: '{raw}' is outside the project root {root}",
                                 EXIT_USAGE)
        prefixes.append(path.relative_to(root).as_posix())
    return [f for f in files
            if any(p in ("", ".") or f == p or f.startswith(p + "/") for p in prefixes)]


def _take(facts: list[FileFacts], project: Project, report: Report, *,
          markers: bool = True) -> list[Marker]:
    out: list[Marker] = []
    for f in facts:
        if f.problem:
            report.problems.append(FileProblem(f.path, f.problem))
            continue
        report.files_parsed += 1
        project.add(f)
        if markers:
            out.extend(f.markers)
    return out


def _ready_names(suggestions: list[Suggestion]) -> set[str]:
    return {s.old.rsplit(".", 1)[-1] for s in suggestions if s.ready}


def _call_names(markers: list[Marker]) -> set[str]:
    """The names in the calls the messages show (``use New(token=make_token(ctx))``)."""
    out: set[str] = set()
    for marker in markers:
        for cand in candidates(marker.message):
            if cand.call:
                tree = ast.parse(cand.call, mode="eval")
                out.update(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                           and n.id not in marker.params and len(n.id) > 2)
    return out


def _aliases(suggestions: list[Suggestion], project: Project) -> None:
    """Re-exports (a package ``__init__`` or ``__all__`` importing the object) are aliases."""
    by_old = {s.old: s for s in suggestions if s.target != "module"}
    for facts in project.facts.values():
        for name, qual in facts.reexports:
            sugg = by_old.get(qual)
            alias = f"{facts.module}.{name}"
            if sugg is not None and alias != sugg.old and alias not in sugg.aliases:
                sugg.aliases.append(alias)
    for sugg in suggestions:
        sugg.aliases.sort()


def _name(suggestions: list[Suggestion], config: Config) -> None:
    """Stable, readable ids; a suggestion an existing rule already covers takes its id."""
    taken = set(config.rules)
    for sugg in suggestions:
        olds = {sugg.old, *sugg.aliases}
        sugg.existing = next((r.id for r in config.rules.values() if olds & set(r.olds)), "")
    for sugg in suggestions:
        if sugg.existing:
            sugg.id = sugg.existing
            continue
        parts = [p for p in sugg.old.split(".") if _kebab(p)]
        for n in range(1, len(parts) + 1):
            sugg.id = "-".join(_kebab(p) for p in parts[-n:])
            if sugg.id not in taken:
                break
        taken.add(sugg.id)


def _kebab(part: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", part).lower().replace("_", "-")
    return re.sub(r"-+", "-", words).strip("-")


def as_rule(sugg: Suggestion) -> Rule:
    return Rule(id=sugg.id, kind=sugg.kind, old=sugg.old, new=sugg.new, message=sugg.message,
                aliases=tuple(sugg.aliases), params=tuple(sugg.params),
                arguments=tuple(sugg.arguments), imports=tuple(sugg.imports))


def count(config: Config, suggestions: list[Suggestion], *, jobs: int | None = None) -> None:
    """``uses``: what detect finds for each proposed rule now, per existing phase. Only rules
    phases.toml can take (with a ``new``) are counted: the others are not rules yet."""
    from ..detect.engine import detect

    rules = {s.id: as_rule(s) for s in suggestions if s.ready}
    if not rules:
        return
    result = detect(replace(config, rules=rules), use_cache=False, jobs=jobs)
    counts = Counter((v.rule, v.phase) for v in result.violations)
    phases = [p.id for p in config.phases]
    for sugg in suggestions:
        if sugg.ready:
            sugg.uses = {p: counts.get((sugg.id, p), 0) for p in phases}
            extra = sum(n for (rule, p), n in counts.items() if rule == sugg.id
                        and p not in phases)
            if extra:
                sugg.uses["unassigned"] = extra
