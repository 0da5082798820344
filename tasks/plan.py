"""Plan a phase: what its rules would change, per file, without writing anything.

discover -> the phase's files (first phase in declaration order whose globs match) -> prefilter
by bytes (the last dotted component of every old name, as a word) -> every rule of the phase in
one libcst parse per candidate (:func:`tasks.rewrite.rewrite_source`), in a process pool when
there are enough candidates. A worker never lets an exception escape: each file comes back with
its new bytes, its sites, or the reason it failed. Any failure fails the whole plan, naming
every file and reason, before anything is written.
"""

from __future__ import annotations

import ast
import difflib
import io
import multiprocessing
import os
import re
import subprocess
import sys
import tokenize
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from .config import Config, Phase, Rule
from .config.kinds import is_semantic, kind_of
from .detect.engine import assign_phase
from .discover import discover, module_name
from .errors import EXIT_USAGE, MigrationError
from .model import FileProblem
from .progress import track
from .rewrite.engine import rewrite_source
from .rewrite.model import FileOutcome, Site
from .semantics.analyze import analyze_source
from .semantics.rule_index import RuleIndex

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
        return [s for f in self.files for s in f.manual]

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


def needles(rules: Iterable[Rule]) -> re.Pattern[bytes] | None:
    """The prefilter: any old name's last component as a word, or a codemod's needle.
    None when a rule cannot be prefiltered (a codemod without old name or needles)."""
    words: set[bytes] = set()
    plain: set[bytes] = set()
    for rule in rules:
        kind = kind_of(rule)
        if kind.semantic:
            words.update(o.rsplit(".", 1)[-1].encode() for o in rule.olds)
            continue
        hook_words = kind.needles(rule)
        if not hook_words:
            return None
        plain.update(w.encode() for w in hook_words)
    parts = [rb"\b" + re.escape(w) + rb"\b" for w in sorted(words)]
    parts += [re.escape(p) for p in sorted(plain)]
    return re.compile(b"|".join(parts)) if parts else re.compile(rb"(?!x)x")


def string_import_needles(rules: Iterable[Rule]) -> Callable[[bytes], bool]:
    """A file importing a deprecated module by string names only the module, not the symbol:
    a candidate too when it calls ``import_module``/``__import__`` and mentions that module."""
    words: set[bytes] = set()
    for rule in rules:
        for old in rule.olds:
            words.add((old if rule.kind == "module" else old.rpartition(".")[0])
                      .rsplit(".", 1)[-1].encode())
    words.discard(b"")
    pattern = re.compile(b"|".join(rb"\b" + re.escape(w) + rb"\b" for w in sorted(words))) \
        if words else None

    def match(data: bytes) -> bool:
        return pattern is not None and (b"import_module" in data or b"__import__" in data) \
            and pattern.search(data) is not None

    return match


def build_plan(config: Config, phase_id: str, *, jobs: int | None = None) -> Plan:
    """Plan ``phase_id`` over the files on disk. Raises MigrationError if any file failed."""
    phase = config.phase(phase_id)
    files, skipped = phase_files(config, phase)
    sources: dict[str, bytes] = {}
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
        sources[rel] = data
    plan = plan_sources(config, phase_id, sources, jobs=jobs)
    plan.skipped = skipped
    plan.failures = failures + plan.failures
    plan.scanned = len(files)
    check(plan)
    return plan


def plan_sources(config: Config, phase_id: str, sources: dict[str, bytes], *,
                 jobs: int | None = None) -> Plan:
    """Plan ``phase_id`` over in-memory sources (``{rel: bytes}``); failures are collected in
    ``plan.failures``, not raised (see :func:`check`)."""
    phase = config.phase(phase_id)
    rules = tuple(phase_rules(config, phase))
    pattern = needles(rules)
    fmt = phase.format or config.format
    dynamic = string_import_needles(rules)
    todo = [(rel, data) for rel, data in sorted(sources.items())
            if rules and (pattern is None or pattern.search(data) or dynamic(data))]
    plan = Plan(phase=phase, scanned=len(sources), candidates=len(todo))
    work = [(str(config.root), rel, data, config.src, rules, fmt) for rel, data in todo]
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
    """Fail the whole plan when any file failed: every file and reason, nothing written."""
    if not plan.failures:
        return
    lines = [f"phase {plan.phase.id}: {len(plan.failures)} file(s) could not be rewritten; "
             "nothing was written:"]
    lines += [f"  {p.path}: {p.reason}" for p in plan.failures]
    raise MigrationError("\n".join(lines), EXIT_USAGE)


Work = tuple[str, str, bytes, tuple[str, ...], tuple[Rule, ...], str]


def _run(work: list[Work], jobs: int | None) -> Iterable[FileOutcome]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(work) < PARALLEL_MIN:
        yield from track((plan_file(item) for item in work), len(work), "plan")
        return
    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    chunk = max(1, min(32, len(work) // (workers * 4)))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            yield from track(pool.map(plan_file, work, chunksize=chunk), len(work), "plan")
    except BrokenProcessPool as exc:  # a worker was killed: say so per file, do not guess
        for item in work:
            yield FileOutcome(item[1], item[2], item[2], failure=f"worker process died: {exc}")


def plan_file(item: Work) -> FileOutcome:
    """Rewrite one file (in a worker). Never raises: a failure is returned with its reason,
    including libcst's native PanicException (a BaseException)."""
    root, rel, data, src, rules, fmt = item
    try:
        module, is_pkg = module_name(rel, src)
        if _nothing_to_do(data, rel, module, is_pkg, rules):
            return FileOutcome(rel, data, data)
        outcome = rewrite_source(data, rel, module, is_pkg, rules)
        if outcome.after != data:
            _valid(outcome.after)
            if fmt == "ruff":
                outcome.after = ruff_format(outcome.after, rel, root)
        return outcome
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - one bad file must not escape the worker
        return FileOutcome(rel, data, data, failure=failure_reason(exc))


def _nothing_to_do(data: bytes, rel: str, module: str, is_pkg: bool,
                   rules: tuple[Rule, ...]) -> bool:
    """Detect's own analysis (stdlib ast, ~10x faster than libcst) finds no violation: the
    byte prefilter matched only strings, comments or shadowed names, so skip the libcst pass.
    Hook kinds (codemods) decide for themselves, so a phase with one always gets the libcst
    pass."""
    if not all(is_semantic(r) for r in rules):
        return False
    found, problem = analyze_source(data, rel, module, is_pkg, _index(rules))
    return problem is None and not found


_INDEXES: dict[tuple[Rule, ...], RuleIndex] = {}


def _index(rules: tuple[Rule, ...]) -> RuleIndex:
    if rules not in _INDEXES:  # one per worker process and phase
        _INDEXES[rules] = RuleIndex.build(list(rules))
    return _INDEXES[rules]


def failure_reason(exc: BaseException) -> str:
    import libcst as cst

    if isinstance(exc, cst.ParserSyntaxError):
        return f"unparseable (line {exc.raw_line}, column {exc.raw_column}): {exc.message}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else 'no message'}"


def _valid(data: bytes) -> None:
    try:
        ast.parse(data)
    except SyntaxError as exc:
        raise ValueError(f"rewrite produced invalid Python at line {exc.lineno}: {exc.msg}") \
            from None


def ruff_format(data: bytes, rel: str, root: str) -> bytes:
    """``ruff format -`` on a changed file (the phase or project asked for it)."""
    proc = subprocess.run([sys.executable, "-m", "ruff", "format", "--stdin-filename", rel, "-"],
                          input=data, capture_output=True, cwd=root, timeout=120, check=False)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValueError(f"ruff format failed: {err[0] if err else proc.returncode}")
    return proc.stdout


def _text(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, "replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", "replace")
