"""Plan a phase: what its rules would change, per file, without writing anything.

discover -> the phase's files (first phase in declaration order whose globs match) -> read and
prefilter by bytes (detect's own prefilter; in the process pool on a large tree) -> one ruff run
telling which import blocks of the candidates were sorted -> every rule of the phase per
candidate (:func:`phasegate.rewrite.worker.plan_file`: one ``ast`` parse shared by detect's
analysis, the import splice and the check; libcst only where the splice does not apply), in the
same pool when there are enough candidates. A worker never lets an exception escape: each file
comes back with its new bytes, its sites, or the reason it failed.

Per-file outcomes, never all-or-nothing: a file that cannot be read, decoded, parsed, checked or
rewritten is listed with its reason among the sites left to a person (rule ``*``, kind
``file``), and the rest of the phase is planned; the imports gate counts those files, so a
phase without ``allow_manual`` still fails with the list. ``strict`` (``plan``/``migrate
--strict``) refuses the whole phase instead, before anything is written.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from .config import Config, Phase, Rule
from .decoding import undecodable
from .detect.engine import assign_phase
from .discover import discover
from .errors import EXIT_USAGE, MigrationError
from .model import FileProblem
from .progress import track
from .rewrite.model import FileOutcome, Site, unified_diff
from .rewrite.sorter import sort_check
from .rewrite.sorting import unsorted_on_disk
from .rewrite.worker import Work, plan_file, plan_files
from .semantics.rule_index import RuleIndex
from .workers import start_pool

FILE_RULE = "*"  # the rule of a file-level outcome: it concerns every rule of the phase
PARALLEL_MIN = 8  # fewer candidates than this are planned in-process: a pool costs more
READ_PARALLEL_MIN = 2000  # fewer files than this are read and prefiltered in-process
SORTERS = 2 * (os.cpu_count() or 1)  # ruff processes checking rewritten files at a time
MAX_BYTES = 16 * 1024 * 1024


@dataclass
class FilePlan:
    """One file's plan: its bytes before and after, and what happened at each site."""

    path: str
    before: bytes
    after: bytes
    rewritten: list[Site] = field(default_factory=list)
    manual: list[Site] = field(default_factory=list)
    made: str = ""  # the diff, when a worker made it already (FileOutcome.diff)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff of the file (decoded with its own encoding, for display only)."""
        return self.made or unified_diff(self.path, self.before, self.after)


@dataclass
class Plan:
    phase: Phase
    files: list[FilePlan] = field(default_factory=list)  # every candidate file, sorted by path
    failures: list[FileProblem] = field(default_factory=list)
    skipped: list[FileProblem] = field(default_factory=list)  # links, non-regular files
    scanned: int = 0  # files of the phase
    candidates: int = 0  # files the prefilter let through (parsed)

    @property
    def changes(self) -> list[FilePlan]:
        return [f for f in self.files if f.changed]

    @property
    def rewritten(self) -> list[Site]:
        return [s for f in self.files for s in f.rewritten]

    @property
    def manual(self) -> list[Site]:
        """Sites left to a person, and every file that failed, as a site of its own."""
        return [s for f in self.files for s in f.manual] + self.file_sites

    @property
    def file_sites(self) -> list[Site]:
        return [Site(p.path, p.line or 1, 1, FILE_RULE, "file", p.reason) for p in self.failures]

    def summary(self) -> dict[str, Any]:
        reasons = Counter(s.reason for s in self.manual)
        return {"files_scanned": self.scanned, "files_parsed": self.candidates,
                "files_changed": len(self.changes), "sites_rewritten": len(self.rewritten),
                "sites_manual": len(self.manual),
                "manual_reasons": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))}


def phase_rules(config: Config, phase: Phase) -> list[Rule]:
    return [config.rules[r] for r in phase.rules]


def phase_files(config: Config, phase: Phase) -> tuple[list[str], list[FileProblem]]:
    """The files that belong to ``phase`` (first matching phase wins), and skipped ones."""
    found = discover(config.root, config.exclude)
    files = [f for f in found.files if assign_phase(config, f) == phase.id]
    skipped = [p for p in found.skipped if assign_phase(config, p.path) == phase.id]
    return files, skipped


def build_plan(config: Config, phase_id: str, *, jobs: int | None = None,
               strict: bool = False, diffs: bool = False) -> Plan:
    """Plan ``phase_id`` over the files on disk; with ``strict``, raise MigrationError if any
    file failed (else each failure is a per-file outcome in ``plan.failures``). ``diffs``: the
    plan will be shown, so the workers make each file's diff."""
    phase = config.phase(phase_id)
    files, skipped = phase_files(config, phase)
    index = RuleIndex.build(phase_rules(config, phase))
    workers = _workers(jobs)
    # one pool reads and prefilters the tree, then plans the candidates
    pool = start_pool(workers) if workers > 1 and len(files) >= READ_PARALLEL_MIN else None
    try:
        try:
            sources, failures = _candidates(str(config.root), files, index, pool)
        except BrokenProcessPool:  # a worker was killed while reading: read here instead
            assert pool is not None
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
            sources, failures = _candidates(str(config.root), files, index, None)
        plan = plan_sources(config, phase_id, sources, jobs=jobs, on_disk=True, pool=pool,
                            diffs=diffs)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    plan.skipped = skipped + plan.skipped
    plan.failures = failures + plan.failures
    plan.scanned = len(files)
    if strict:
        check(plan)
    return plan


def _candidates(root: str, files: list[str], index: RuleIndex, pool: Executor | None
                ) -> tuple[dict[str, bytes], list[FileProblem]]:
    """The bytes of the files detect's prefilter keeps (the rest are not held in memory), and
    the files that could not be read; in the pool's workers when there is one."""
    sources: dict[str, bytes] = {}
    failures: list[FileProblem] = []
    size = max(64, len(files) // 64)
    batches = [(root, files[i:i + size], index) for i in range(0, len(files), size)]
    results = pool.map(_read_batch, batches) if pool is not None else map(_read_batch, batches)
    for batch in track(results, len(batches), "read"):
        for rel, data, problem in batch:
            if problem is not None:
                failures.append(problem)
            elif data is not None:
                sources[rel] = data
    return sources, failures


def _read_batch(item: tuple[str, list[str], RuleIndex]
                ) -> list[tuple[str, bytes | None, FileProblem | None]]:
    """Read and prefilter files (in a worker): each candidate with its bytes, each file that
    cannot be read or is too large with its problem; other files are left out."""
    root, rels, index = item
    out: list[tuple[str, bytes | None, FileProblem | None]] = []
    for rel in rels:
        try:
            with open(os.path.join(root, rel), "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            out.append((rel, None, FileProblem(rel, f"unreadable: {exc.strerror}")))
            continue
        if len(data) > MAX_BYTES:
            out.append((rel, None,
                        FileProblem(rel, f"too large to rewrite (> {MAX_BYTES >> 20} MB)")))
        elif index.is_candidate(data):
            out.append((rel, data, None))
    return out


def plan_sources(config: Config, phase_id: str, sources: dict[str, bytes], *,
                 jobs: int | None = None, on_disk: bool = False,
                 pool: Executor | None = None, diffs: bool = False) -> Plan:
    """Plan ``phase_id`` over in-memory sources (``{rel: bytes}``); failures are collected in
    ``plan.failures``, not raised (see :func:`check`). ``on_disk``: the sources are the files
    as they are on disk, so ruff can tell which import blocks were sorted in one run over all
    of them, not one run per changed file. ``pool``: workers already started, to use.
    ``diffs``: each changed file's diff is made as soon as its bytes are final."""
    phase = config.phase(phase_id)
    rules = tuple(phase_rules(config, phase))
    index = RuleIndex.build(rules)
    fmt = phase.format or config.format
    # detect's own prefilter: the rewrite changes only files where detect finds a site
    todo = [(rel, data) for rel, data in sorted(sources.items())
            if rules and index.is_candidate(data)]
    plan = Plan(phase=phase, scanned=len(sources), candidates=len(todo))
    bad = {rel: why for rel, data in todo if (why := undecodable(data))}
    plan.skipped = [FileProblem(rel, why) for rel, why in bad.items()]
    todo = [(rel, data) for rel, data in todo if rel not in bad]
    from .gates.static import syntax_python

    syntax = syntax_python(config)
    root = str(config.root)
    rels = [rel for rel, _ in todo]
    # which import blocks were sorted on disk: one ruff run over the candidates, while the
    # workers rewrite them (the sorter's checks below wait for it); a formatted phase needs it
    # in the workers, before they format
    later = on_disk and fmt != "ruff"
    unsorted = unsorted_on_disk(root, rels) if on_disk and not later else {}
    work = [Work(root, rel, data, config.src, rules, fmt, syntax, unsorted.get(rel), later,
                 diffs) for rel, data in todo]
    with ThreadPoolExecutor(max_workers=SORTERS) as threads:
        on_disk_run = threads.submit(unsorted_on_disk, root, rels) if later else None
        # the sorter's check of a rewritten file is one ruff process: many run at a time here,
        # while the workers go on, instead of one after another in each worker
        pending = [threads.submit(sort_check, o, root, on_disk_run, diffs) if o.sort_pending else o
                   for o in _run(work, jobs, pool)]
        outcomes = [o.result() if isinstance(o, Future) else o for o in pending]
    for outcome in outcomes:
        if outcome.failure:
            plan.failures.append(FileProblem(outcome.path, outcome.failure))
        else:
            plan.files.append(FilePlan(outcome.path, outcome.before, outcome.after,
                                       outcome.rewritten, outcome.manual, outcome.diff))
    plan.files.sort(key=lambda f: f.path)
    plan.failures.sort(key=lambda p: p.path)
    return plan


def check(plan: Plan) -> None:
    """``--strict``: fail the whole plan when any file failed: every file and reason, nothing
    written."""
    if not plan.failures:
        return
    lines = [f"phase {plan.phase.id}: {len(plan.failures)} file(s) could not be rewritten; "
             "nothing was written (--strict):"]
    lines += [f"  {p.path}: {p.reason}" for p in plan.failures]
    raise MigrationError("\n".join(lines), EXIT_USAGE)


def _workers(jobs: int | None) -> int:
    return jobs if jobs is not None else (os.cpu_count() or 1)


def _run(work: list[Work], jobs: int | None, pool: Executor | None = None
         ) -> Iterable[FileOutcome]:
    workers = _workers(jobs)
    if workers <= 1 or len(work) < PARALLEL_MIN:
        yield from track((plan_file(item) for item in work), len(work), "plan")
        return
    chunk = max(1, min(32, len(work) // (workers * 4)))
    done: set[str] = set()
    try:
        if pool is not None:
            yield from track(_unordered(pool, work, chunk, done), len(work), "plan")
            return
        with start_pool(workers) as own:
            yield from track(_unordered(own, work, chunk, done), len(work), "plan")
    except BrokenProcessPool as exc:  # a worker was killed: say so per file, do not guess
        for item in work:
            if item.rel not in done:
                yield FileOutcome(item.rel, item.data, item.data,
                                  failure=f"worker process died: {exc}")


def _unordered(pool: Executor, work: list[Work], chunk: int, done: set[str]
               ) -> Iterator[FileOutcome]:
    """Outcomes as the workers finish them (a slow file holds back no other: the sorter's
    checks of the rest start at once); ``done`` collects the paths given out."""
    batches = [pool.submit(plan_files, work[i:i + chunk]) for i in range(0, len(work), chunk)]
    for batch in as_completed(batches):
        for outcome in batch.result():
            done.add(outcome.path)
            yield outcome


