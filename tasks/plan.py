"""Plan a phase: what its rules would change, per file, without writing anything.

discover -> the phase's files (first phase in declaration order whose globs match) -> prefilter
by bytes (the last dotted component of every old name, as a word) -> every rule of the phase in
one libcst parse per candidate (:func:`phasegate.rewrite.worker.plan_file`), in a process pool
when there are enough candidates. A worker never lets an exception escape: each file comes back
with its new bytes, its sites, or the reason it failed.

Per-file outcomes, never all-or-nothing: a file that cannot be read, decoded, parsed, checked or
rewritten is listed with its reason among the sites left to a person (rule ``*``, kind
``file``), and the rest of the phase is planned; the imports gate counts those files, so a
phase without ``allow_manual`` still fails with the list. ``strict`` (``plan``/``migrate
--strict``) refuses the whole phase instead, before anything is written.
"""

from __future__ import annotations

import difflib
import io
import os
import tokenize
from collections import Counter
from collections.abc import Iterable
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
from .rewrite.model import FileOutcome, Site
from .rewrite.sorting import unsorted_on_disk
from .rewrite.worker import Work, plan_file
from .semantics.rule_index import RuleIndex
from .workers import start_pool

FILE_RULE = "*"  # the rule of a file-level outcome: it concerns every rule of the phase
PARALLEL_MIN = 8  # fewer candidates than this are planned in-process: a pool costs more
MAX_BYTES = 16 * 1024 * 1024


@dataclass
class FilePlan:
    """One file's plan: its bytes before and after, and what happened at each site."""

    path: str
    before: bytes
    after: bytes
    rewritten: list[Site] = field(default_factory=list)
    manual: list[Site] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff of the file (decoded with its own encoding, for display only)."""
        old, new = _text(self.before), _text(self.after)
        lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     f"a/{self.path}", f"b/{self.path}")
        eof = "\n\\ No newline at end of file\n"
        return "".join(ln if ln.endswith(("\n", "\r")) else ln + eof for ln in lines)


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
               strict: bool = False) -> Plan:
    """Plan ``phase_id`` over the files on disk; with ``strict``, raise MigrationError if any
    file failed (else each failure is a per-file outcome in ``plan.failures``)."""
    phase = config.phase(phase_id)
    files, skipped = phase_files(config, phase)
    index = RuleIndex.build(phase_rules(config, phase))
    sources: dict[str, bytes] = {}  # the candidates only: a big tree is not held in memory
    failures: list[FileProblem] = []
    for rel in files:
        try:
            with open(config.root / rel, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            failures.append(FileProblem(rel, f"unreadable: {exc.strerror}"))
            continue
        if len(data) > MAX_BYTES:
            failures.append(FileProblem(rel, f"too large to rewrite (> {MAX_BYTES >> 20} MB)"))
            continue
        if index.is_candidate(data):
            sources[rel] = data
    plan = plan_sources(config, phase_id, sources, jobs=jobs, on_disk=True)
    plan.skipped = skipped + plan.skipped
    plan.failures = failures + plan.failures
    plan.scanned = len(files)
    if strict:
        check(plan)
    return plan


def plan_sources(config: Config, phase_id: str, sources: dict[str, bytes], *,
                 jobs: int | None = None, on_disk: bool = False) -> Plan:
    """Plan ``phase_id`` over in-memory sources (``{rel: bytes}``); failures are collected in
    ``plan.failures``, not raised (see :func:`check`). ``on_disk``: the sources are the files
    as they are on disk, so ruff can tell which import blocks were sorted in one run over all
    of them, not one run per changed file."""
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
    unsorted = unsorted_on_disk(str(config.root), [rel for rel, _ in todo]) if on_disk else {}
    work = [Work(str(config.root), rel, data, config.src, rules, fmt, syntax, unsorted.get(rel))
            for rel, data in todo]
    for outcome in _run(work, jobs):
        if outcome.failure:
            plan.failures.append(FileProblem(outcome.path, outcome.failure))
        else:
            plan.files.append(FilePlan(outcome.path, outcome.before, outcome.after,
                                       outcome.rewritten, outcome.manual))
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


def _run(work: list[Work], jobs: int | None) -> Iterable[FileOutcome]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(work) < PARALLEL_MIN:
        yield from track((plan_file(item) for item in work), len(work), "plan")
        return
    chunk = max(1, min(32, len(work) // (workers * 4)))
    try:
        with start_pool(workers) as pool:
            yield from track(pool.map(plan_file, work, chunksize=chunk), len(work), "plan")
    except BrokenProcessPool as exc:  # a worker was killed: say so per file, do not guess
        for item in work:
            yield FileOutcome(item.rel, item.data, item.data,
                              failure=f"worker process died: {exc}")


def _text(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, "replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", "replace")
