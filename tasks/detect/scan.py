"""Detect's scan: stat, read, prefilter and analyse files, in worker processes when there are
enough of them, each batch returning what the cache keeps (engine.py)."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..decoding import undecodable
from ..discover import Discovered, fit, listing, module_name, stat_listed
from ..model import FileProblem, Violation
from ..progress import track
from ..semantics.analyze import analyze_source
from ..semantics.rule_index import RuleIndex
from .hooks import hook_sites

if TYPE_CHECKING:
    from concurrent.futures import Executor

MAX_BYTES = 16 * 1024 * 1024  # larger files are reported, not parsed
PARALLEL_MIN = 48  # below this many files to read, a process pool costs more than it saves

StatKey = tuple[int, int, int, int]
Entry = tuple[StatKey, bytes, list[Violation], FileProblem | None]


@dataclass
class Streamed:
    """A cold run's answer, as the workers sent it: the cache's entries already pickled (a
    part a batch, :func:`engine._save_cache_parts`), and only the files with a finding or a
    problem unpickled here."""
    files: int = 0  # files scanned
    parsed: int = 0  # files parsed
    parts: list[bytes] = field(default_factory=list)  # pickled {path: Entry}, a batch each
    found: list[tuple[str, list[Violation], FileProblem | None]] = field(default_factory=list)
    skipped: list[FileProblem] = field(default_factory=list)  # links, FIFOs, ...


def stream(config: Config, index: RuleIndex, workers: int, pools: list[Executor]
           ) -> Streamed | Discovered:
    """A cold run of the whole project: the workers stat, read and scan the files as soon as
    git has listed them, while this process looks for the special files git never lists.
    Too few files to fork for: what ``discover`` would have (stat-ed here, nothing scanned)."""
    names, special = listing(config.root, config.exclude)
    if len(names) < PARALLEL_MIN:  # too few to fork for: stat-ed here, scanned as usual
        listed = stat_listed(config.root, names + special())
        listed.searched = special.searched
        return listed
    pool = worker_pool(workers)
    pools.append(pool)
    batches = _batches([(str(config.root), rel, None, b"", config.src, index)
                        for rel in names], workers)
    running = pool.map(stream_batch, batches)
    extra = stat_listed(config.root, special())  # meanwhile, in this process
    out = Streamed()
    for files, parsed, part, found, unfit in track(running, len(batches), "scan"):
        out.files += files
        out.parsed += parsed
        out.parts.append(part)
        out.found += found
        out.skipped += [FileProblem(rel, why) for rel, why in unfit]
    out.skipped.extend(extra.skipped)
    if extra.files:  # a file git did not list yet is one now: scanned here
        items: list[WorkItem] = [(str(config.root), rel, key_of(extra.stats[rel]), b"",
                                  config.src, index) for rel in extra.files]
        files, parsed, part, found, _ = stream_batch(items)
        out.files += files
        out.parsed += parsed
        out.parts.append(part)
        out.found += found
    return out


def stream_batch(items: list[WorkItem]
                 ) -> tuple[int, int, bytes, list[tuple[str, list[Violation], FileProblem | None]],
                            list[tuple[str, str]]]:
    """:func:`scan_batch` as a cold run keeps it (in a worker): how many files were scanned
    and parsed, their cache entries pickled, the files with a finding or a problem, and the
    paths that are no file to scan (why)."""
    entries: dict[str, Entry] = {}
    found: list[tuple[str, list[Violation], FileProblem | None]] = []
    unfit: list[tuple[str, str]] = []
    parsed = 0
    for rel, entry, n, why in scan_batch(items):
        if entry is None:
            if why:
                unfit.append((rel, why))
            continue
        entries[rel] = entry
        parsed += n
        if entry[2] or entry[3] is not None:
            found.append((rel, entry[2], entry[3]))
    return (len(entries), parsed, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL),
            found, unfit)


def _batches(work: list[WorkItem], workers: int) -> list[list[WorkItem]]:
    """Small batches: no long tail on one core."""
    chunk = max(16, len(work) // (workers * 32))
    return [work[i:i + chunk] for i in range(0, len(work), chunk)]


def stat_key(path: Path) -> StatKey | None:
    try:
        return key_of(os.stat(path))
    except OSError:
        return None


def key_of(st: os.stat_result) -> StatKey:
    return (int(st.st_size), int(st.st_mtime_ns), int(st.st_ino), int(st.st_ctime_ns))


def worker_pool(workers: int) -> Executor:
    """A process pool whose workers start now (with fork they all start at the first task)."""
    from ..workers import start_pool  # here: a warm run scans too few files to need a pool

    return start_pool(workers)


def scan_files(config: Config, index: RuleIndex, todo: list[tuple[str, StatKey]],
               cache: dict[str, Entry], workers: int,
               pool: Executor | None) -> Iterable[tuple[str, Entry, int]]:
    digests = {rel: entry[1] for rel, entry in cache.items()}
    work: list[WorkItem] = [(str(config.root), rel, key, digests.get(rel, b""), config.src, index)
                            for rel, key in todo]
    if pool is None and (workers <= 1 or len(work) < PARALLEL_MIN):
        for item in track(work, len(work), "scan"):
            yield scan_one(item, cache)
        return
    batches = _batches(work, workers)
    keys = dict(todo)
    own = pool is None
    running = pool if pool is not None else worker_pool(workers)
    try:
        for batch in track(running.map(scan_batch, batches), len(batches), "scan"):
            for rel, entry, parsed, _ in batch:
                if entry is None:  # bytes unchanged: reuse the cached findings
                    old = cache[rel]
                    entry = (keys[rel], old[1], old[2], old[3])
                yield rel, entry, parsed
    finally:
        if own:
            running.shutdown(cancel_futures=True)


# root, path, its stat key (None: stat it here), the digest of its cached bytes, src roots, rules
WorkItem = tuple[str, str, StatKey | None, bytes, tuple[str, ...], RuleIndex]
# path, its entry (None: bytes unchanged, or not a file to scan), files parsed, why not a file
Scanned = tuple[str, Entry | None, int, str]


def scan_one(item: WorkItem, cache: dict[str, Entry]) -> tuple[str, Entry, int]:
    """One file whose stat key the caller took (``item[2]``), in this process."""
    rel, entry, parsed, _ = scan_batch([item])[0]
    if entry is None:
        old, known = cache[rel], item[2]
        assert known is not None
        entry = (known, old[1], old[2], old[3])
    return rel, entry, parsed


def scan_batch(items: list[WorkItem]) -> list[Scanned]:
    """Stat (unless the caller did), read, prefilter and analyse files (in a worker). Never
    raises for a bad file."""
    out: list[Scanned] = []
    for root, rel, known, old_digest, src, index in items:
        path = root + os.sep + rel  # root: resolved, no trailing separator (but "/")
        if known is None:
            st, unfit = fit(path)
            if st is None:  # a link, a FIFO, ... (unfit says so) or gone since git listed it
                out.append((rel, None, 0, unfit))
                continue
            key = key_of(st)
        else:
            key = known
        try:
            data = read_file(path, key[0])
        except OSError as exc:
            out.append((rel, (key, b"", [], FileProblem(rel, f"unreadable: {exc.strerror}")), 0,
                        ""))
            continue
        problem: FileProblem | None
        if len(data) > MAX_BYTES:
            problem = FileProblem(rel, f"too large to scan (> {MAX_BYTES // 2**20} MB)")
            out.append((rel, (key, b"", [], problem), 0, ""))
            continue
        if not index.is_candidate(data):
            # no digest: re-reading and re-testing a changed file costs what hashing would
            out.append((rel, (key, b"", [], None), 0, ""))
            continue
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if old_digest and digest == old_digest:
            out.append((rel, None, 0, ""))
            continue
        violations, problem = analyze(src, rel, data, index)
        why = "" if problem is not None else undecodable(data)  # e.g. a bad byte in a comment
        if why:
            violations, problem = [], FileProblem(rel, why)
        out.append((rel, (key, digest, violations, problem), 1, ""))
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


def analyze(src: tuple[str, ...], rel: str, data: bytes,
             index: RuleIndex) -> tuple[list[Violation], FileProblem | None]:
    module, is_pkg = module_name(rel, src)
    try:
        found, problem = analyze_source(data, rel, module, is_pkg, index)
        if problem is None and index.hook_rules:
            found = sorted(set(found + hook_sites(data, rel, module, is_pkg, index)))
        return found, problem
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the scan
        return [], FileProblem(rel, f"analysis failed: {type(exc).__name__}: {exc}")
