"""Detect: discover -> prefilter by bytes -> parse only candidates (in processes) -> cache.

An unchanged file (same size, mtime, inode and ctime as last run, for the same rules) is not read
again; a file whose stat changed but whose bytes did not is not parsed again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pathspec import GitIgnoreSpec

from .. import __version__
from ..config import Config, Phase, Rule
from ..discover import discover, spec
from ..model import UNASSIGNED, DetectResult, FileProblem, Violation
from ..semantics.rule_index import RuleIndex
from ..statedir import state_dir
from .scan import (
    PARALLEL_MIN,
    Entry,
    StatKey,
    Streamed,
    analyze,
    key_of,
    scan_files,
    stat_key,
    stream,
    worker_pool,
)

if TYPE_CHECKING:
    from concurrent.futures import Executor

ENGINE = "detect-17"  # bump when analysis changes, so caches from older versions are ignored


def assign_phase(config: Config, rel: str) -> str:
    """The first phase in declaration order whose files match ``rel``, else 'unassigned'."""
    for phase, matcher in _phase_specs(config):
        if matcher.match_file(rel):
            return phase.id
    return UNASSIGNED


_SPEC_CACHE: dict[int, tuple[Config, list[tuple[Phase, GitIgnoreSpec]]]] = {}


def _phase_specs(config: Config) -> list[tuple[Phase, GitIgnoreSpec]]:
    cached = _SPEC_CACHE.get(id(config))
    if cached is None or cached[0] is not config:  # the config is kept so its id stays unique
        cached = (config, [(p, spec(p.files)) for p in config.phases])
        _SPEC_CACHE[id(config)] = cached
    return cached[1]


def rules_for(config: Config, phase: str | None) -> list[Rule]:
    """A phase's rules, or every rule."""
    if phase is None:
        return list(config.rules.values())
    return [config.rules[r] for r in config.phase(phase).rules]


def detect(config: Config, *, phase: str | None = None, files: Iterable[str] | None = None,
           use_cache: bool = True, jobs: int | None = None) -> DetectResult:
    """Every violation of the rules (a phase's, or all) in the project's files."""
    index = RuleIndex.build(rules_for(config, phase))
    cache_file = _cache_path(config, index) if use_cache else None
    cache = _load_cache(cache_file)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    pools: list[Executor] = []

    def early_pool(listed: int) -> None:
        # a run without a cache reads every file: fork the workers as soon as the list says
        # there are enough, before the stats are taken (forked later, each worker would count
        # the file list and stats as its own memory)
        if not cache and files is None and workers > 1 and listed >= PARALLEL_MIN:
            pools.append(worker_pool(workers))

    try:
        return _detect(config, index, phase, files, cache_file, cache, workers, pools,
                       early_pool)
    finally:
        for pool in pools:
            pool.shutdown(cancel_futures=True)


def _detect(config: Config, index: RuleIndex, phase: str | None, files: Iterable[str] | None,
            cache_file: Path | None, cache: dict[str, Entry], workers: int,
            pools: list[Executor], early_pool: Callable[[int], None]) -> DetectResult:
    pool: Executor | None = None
    if files is None and phase is None and not cache and workers > 1:
        streamed = stream(config, index, workers, pools)
        if isinstance(streamed, Streamed):  # a cold run's answer, scanned as listed
            return _streamed_result(config, streamed, cache_file)
        found = streamed
    else:
        found = discover(config.root, config.exclude, listed_hook=early_pool)
        pool = pools[0] if pools else None
    paths = list(files) if files is not None else found.files
    if phase is not None:
        paths = [p for p in paths if assign_phase(config, p) == phase]
    result = DetectResult(problems=list(found.skipped) if files is None else [])
    fresh: dict[str, Entry] = {}
    todo: list[tuple[str, StatKey]] = []
    for rel in paths:
        st = found.stats.get(rel)
        result.linked += st is None or st.st_nlink > 1
        key = key_of(st) if st is not None else stat_key(config.root / rel)
        if key is None:
            result.problems.append(FileProblem(rel, "vanished while scanning"))
            continue
        old = cache.get(rel)
        if old is not None and old[0] == key:
            fresh[rel] = old
            result.cache_hits += 1
        else:
            todo.append((rel, key))
    for rel, entry, parsed in scan_files(config, index, todo, cache, workers, pool):
        fresh[rel] = entry
        result.files_parsed += parsed
    result.files_scanned = len(paths)
    result.folders = found.searched if files is None else []
    for rel in sorted(fresh):
        _, _, violations, problem = fresh[rel]
        if violations:  # matching globs costs: only files with findings need a phase
            phase_id = assign_phase(config, rel)
            result.violations.extend(_with_phase(v, phase_id) for v in violations)
        if problem is not None:
            result.problems.append(problem)
    result.violations.sort()
    if cache_file is not None and (todo or len(fresh) != len(cache)):
        _save_cache(cache_file, fresh if files is None and phase is None else {**cache, **fresh})
    return result


def _streamed_result(config: Config, streamed: Streamed, cache_file: Path | None
                     ) -> DetectResult:
    """The result of a cold run from what its workers sent (:class:`.scan.Streamed`): the
    same as from every file's entry, without unpickling the entries of clean files."""
    result = DetectResult(problems=list(streamed.skipped), files_scanned=streamed.files,
                          files_parsed=streamed.parsed)
    for rel, violations, problem in sorted(streamed.found, key=lambda found: found[0]):
        if violations:
            phase_id = assign_phase(config, rel)
            result.violations.extend(_with_phase(v, phase_id) for v in violations)
        if problem is not None:
            result.problems.append(problem)
    result.violations.sort()
    if cache_file is not None:
        _save_cache_parts(cache_file, streamed.parts)
    return result


def has_cache(config: Config, *, phase: str | None = None) -> bool:
    """Whether a cache from an earlier run exists for these rules (a run without one reads
    every file)."""
    return _cache_path(config, RuleIndex.build(rules_for(config, phase))).is_file()


def detect_sources(config: Config, sources: dict[str, bytes], *,
                   phase: str | None = None) -> DetectResult:
    """Detect on in-memory sources (e.g. a plan's output) without touching the disk."""
    index = RuleIndex.build(rules_for(config, phase))
    result = DetectResult(files_scanned=len(sources))
    for rel in sorted(sources):
        violations, problem = analyze(config.src, rel, sources[rel], index)
        phase_id = assign_phase(config, rel)
        result.violations.extend(_with_phase(v, phase_id) for v in violations)
        if problem:
            result.problems.append(problem)
    result.violations.sort()
    return result


def _with_phase(v: Violation, phase: str) -> Violation:
    return Violation(v.path, v.line, v.col, v.rule, v.kind, v.name, phase, v.fixable,
                     v.reason, v.message)


def _cache_path(config: Config, index: RuleIndex) -> Path:
    h = hashlib.sha256(
        repr((ENGINE, __version__, index.rules, config.src, str(config.root))).encode())
    if index.hook_rules and config.codemods is not None:
        # a project's codemod finds its own sites: after an edit of any file of its folder
        # (helpers too), what the old code found in an unchanged file is not reused
        for path in sorted(config.codemods.rglob("*.py")):
            h.update(path.relative_to(config.codemods).as_posix().encode() + b"\0")
            try:
                h.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError:
                h.update(b"unreadable")
    return state_dir(config) / "cache" / f"detect-{h.hexdigest()[:20]}.pickle"


def _load_cache(path: Path | None) -> dict[str, Entry]:
    """The cache's entries: one or more pickled ``{path: Entry}`` one after another (a cold
    run writes its workers' parts as they are)."""
    if path is None:
        return {}
    entries: dict[str, Entry] = {}
    try:
        with open(path, "rb") as fh:
            while fh.peek(1):
                part = pickle.load(fh)
                if not isinstance(part, dict):
                    return {}
                entries.update(part)
    except Exception:  # noqa: BLE001 - a missing or damaged cache is just a cold run
        return {}
    return entries


def _save_cache(path: Path, entries: dict[str, Entry]) -> None:
    _save_cache_parts(path, [pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)])


def _save_cache_parts(path: Path, parts: list[bytes]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(b"".join(parts))
        os.replace(tmp, path)
    except OSError:
        pass  # the cache is an optimisation; a read-only state dir must not fail detect
