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
from ..decoding import undecodable
from ..discover import discover, module_name, spec
from ..model import UNASSIGNED, DetectResult, FileProblem, Violation
from ..progress import track
from ..semantics.analyze import analyze_source
from ..semantics.rule_index import RuleIndex
from ..statedir import state_dir
from .hooks import hook_sites

if TYPE_CHECKING:
    from concurrent.futures import Executor

ENGINE = "detect-13"  # bump when analysis changes, so caches from older versions are ignored
MAX_BYTES = 16 * 1024 * 1024  # larger files are reported, not parsed
PARALLEL_MIN = 48  # below this many files to read, a process pool costs more than it saves

StatKey = tuple[int, int, int, int]
Entry = tuple[StatKey, bytes, list[Violation], FileProblem | None]


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
        key = _key(st) if st is not None else _stat_key(config.root / rel)
        if key is None:
            result.problems.append(FileProblem(rel, "vanished while scanning"))
            continue
        old = cache.get(rel)
        if old is not None and old[0] == key:
            fresh[rel] = old
            result.cache_hits += 1
        else:
            todo.append((rel, key))
    for rel, entry, parsed in _scan(config, index, todo, cache, workers, pool):
        fresh[rel] = entry
        result.files_parsed += parsed
    result.files_scanned = len(paths)
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
        violations, problem = _analyze(config.src, rel, sources[rel], index)
        phase_id = assign_phase(config, rel)
        result.violations.extend(_with_phase(v, phase_id) for v in violations)
        if problem:
            result.problems.append(problem)
    result.violations.sort()
    return result


def _with_phase(v: Violation, phase: str) -> Violation:
    return Violation(v.path, v.line, v.col, v.rule, v.kind, v.name, phase, v.fixable,
                     v.reason, v.message)


def _stat_key(path: Path) -> StatKey | None:
    try:
        return _key(os.stat(path))
    except OSError:
        return None


def _key(st: os.stat_result) -> StatKey:
    return (int(st.st_size), int(st.st_mtime_ns), int(st.st_ino), int(st.st_ctime_ns))


def worker_pool(workers: int) -> Executor:
    """A process pool whose workers start now (with fork they all start at the first task)."""
    from ..workers import start_pool  # here: a warm run scans too few files to need a pool

    return start_pool(workers)


def _scan(config: Config, index: RuleIndex, todo: list[tuple[str, StatKey]],
          cache: dict[str, Entry], workers: int,
          pool: Executor | None) -> Iterable[tuple[str, Entry, int]]:
    digests = {rel: entry[1] for rel, entry in cache.items()}
    work: list[WorkItem] = [(str(config.root), rel, key, digests.get(rel, b""), config.src, index)
                            for rel, key in todo]
    if pool is None and (workers <= 1 or len(work) < PARALLEL_MIN):
        for item in track(work, len(work), "scan"):
            yield _scan_one(item, cache)
        return
    chunk = max(16, len(work) // (workers * 32))  # small batches: no long tail on one core
    batches = [work[i:i + chunk] for i in range(0, len(work), chunk)]
    keys = dict(todo)
    own = pool is None
    running = pool if pool is not None else worker_pool(workers)
    try:
        for batch in track(running.map(_scan_batch, batches), len(batches), "scan"):
            for rel, entry, parsed in batch:
                if entry is None:  # bytes unchanged: reuse the cached findings
                    old = cache[rel]
                    entry = (keys[rel], old[1], old[2], old[3])
                yield rel, entry, parsed
    finally:
        if own:
            running.shutdown(cancel_futures=True)


WorkItem = tuple[str, str, StatKey, bytes, tuple[str, ...], RuleIndex]


def _scan_one(item: WorkItem, cache: dict[str, Entry]) -> tuple[str, Entry, int]:
    rel, entry, parsed = _scan_batch([item])[0]
    if entry is None:
        old = cache[rel]
        entry = (item[2], old[1], old[2], old[3])
    return rel, entry, parsed


def _scan_batch(items: list[WorkItem]) -> list[tuple[str, Entry | None, int]]:
    """Read, prefilter and analyse files (in a worker). Never raises for a bad file."""
    out: list[tuple[str, Entry | None, int]] = []
    for root, rel, key, old_digest, src, index in items:
        try:
            data = read_file(os.path.join(root, rel), key[0])
        except OSError as exc:
            out.append((rel, (key, b"", [], FileProblem(rel, f"unreadable: {exc.strerror}")), 0))
            continue
        problem: FileProblem | None
        if len(data) > MAX_BYTES:
            problem = FileProblem(rel, f"too large to scan (> {MAX_BYTES // 2**20} MB)")
            out.append((rel, (key, b"", [], problem), 0))
            continue
        if not index.is_candidate(data):
            # no digest: re-reading and re-testing a changed file costs what hashing would
            out.append((rel, (key, b"", [], None), 0))
            continue
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if old_digest and digest == old_digest:
            out.append((rel, None, 0))
            continue
        violations, problem = _analyze(src, rel, data, index)
        why = "" if problem is not None else undecodable(data)  # e.g. a bad byte in a comment
        if why:
            violations, problem = [], FileProblem(rel, why)
        out.append((rel, (key, digest, violations, problem), 1))
    return out


def read_file(path: str, size: int) -> bytes:
    """The file's bytes, at most MAX_BYTES + 1 of them. Sized by its stat: a buffered
    ``read(MAX_BYTES + 1)`` would allocate 16 MB for every file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        want = min(size, MAX_BYTES) + 1
        parts = [os.read(fd, want)]
        total = len(parts[0])
        if total == size:
            return parts[0]  # exactly the size stat gave: the end (one syscall saved per file)
        while parts[-1] and total <= MAX_BYTES:
            parts.append(os.read(fd, max(65536, MAX_BYTES + 1 - total)))
            total += len(parts[-1])
        return parts[0] if len(parts) == 2 and not parts[1] else b"".join(parts)
    finally:
        os.close(fd)


def _analyze(src: tuple[str, ...], rel: str, data: bytes,
             index: RuleIndex) -> tuple[list[Violation], FileProblem | None]:
    module, is_pkg = module_name(rel, src)
    try:
        found, problem = analyze_source(data, rel, module, is_pkg, index)
        if problem is None and index.hook_rules:
            found = sorted(set(found + hook_sites(data, rel, module, is_pkg, index)))
        return found, problem
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the scan
        return [], FileProblem(rel, f"analysis failed: {type(exc).__name__}: {exc}")


def _cache_path(config: Config, index: RuleIndex) -> Path:
    h = hashlib.sha256(
        repr((ENGINE, __version__, index.rules, config.src, str(config.root))).encode()
    ).hexdigest()[:20]
    return state_dir(config) / "cache" / f"detect-{h}.pickle"


def _load_cache(path: Path | None) -> dict[str, Entry]:
    if path is None:
        return {}
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
        return data if isinstance(data, dict) else {}
    except Exception:  # noqa: BLE001 - a missing or damaged cache is just a cold run
        return {}


def _save_cache(path: Path, entries: dict[str, Entry]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(entries, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # the cache is an optimisation; a read-only state dir must not fail detect
