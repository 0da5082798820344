"""Plan one file, in a worker process: never raises, every problem is a per-file outcome.

``plan_file`` runs the rules (:func:`.engine.rewrite_source`), then checks the result without
blaming the rewrite for what was there before: a file this Python compiles must still compile;
a file it cannot compile (syntax newer than the interpreter, like 3.12's nested f-string quotes)
is rewritten only when ``[gates.syntax] python`` compiles the original, and is then checked by
a libcst round trip (the parser that accepted it), the syntax gate compiling it later with that
Python. Otherwise the file is an outcome "not checkable by Python X.Y". New imports are placed
where the project's import sorter wants them when the file was sorted before (:mod:`.sorting`).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import NamedTuple

from ruff.__main__ import find_ruff_bin

from ..config import Rule
from ..config.kinds import is_semantic
from ..discover import module_name
from ..gates.static import NOT_CHECKABLE, compile_error, python_version
from ..model import Violation
from ..semantics.analyze import analyze_source
from ..semantics.callsite import Contexts
from ..semantics.rule_index import RuleIndex
from .engine import rewrite_source
from .harmless import harmless_lines
from .model import FileOutcome, unified_diff
from .sorting import keep_sorted, needs_ruff


class Work(NamedTuple):
    root: str
    rel: str
    data: bytes
    src: tuple[str, ...]
    rules: tuple[Rule, ...]
    fmt: str  # "ruff": format changed files
    syntax_python: str = ""  # [gates.syntax] python
    # ruff's I001 diagnostics of the file as read (None: not known, ruff is asked per file)
    unsorted: list[dict[str, object]] | None = None
    # the caller learns them later and checks the sorting itself (plan.py): a file whose
    # import lines changed is returned with ``sort_pending``
    sort_later: bool = False
    diffs: bool = False  # the plan will be shown: the outcome carries its diff (FileOutcome.diff)


def plan_files(items: list[Work]) -> list[FileOutcome]:
    """``plan_file`` of each, in one task of a worker."""
    return [plan_file(item) for item in items]


def plan_file(item: tuple[object, ...]) -> FileOutcome:
    """Rewrite one file (in a worker). Never raises: a failure is returned with its reason,
    including libcst's native PanicException (a BaseException)."""
    job = Work(*item)  # type: ignore[arg-type]
    try:
        module, is_pkg = module_name(job.rel, job.src)
        tree, before = _parse(job.data)  # once: for detect's analysis, the splice and the check
        contexts: Contexts = {}
        found = _detect(job.data, job.rel, module, is_pkg, job.rules, tree, contexts)
        if found is not None and not found and not before:
            return FileOutcome(job.rel, job.data, job.data)
        outcome = rewrite_source(job.data, job.rel, module, is_pkg, job.rules, found=found,
                                 parsed=tree, contexts=contexts if found is not None else None)
        if outcome.after != job.data:
            problem = _check(job, outcome.after, before,
                             renamed_only=outcome.engine == "splice")
            if problem:
                return FileOutcome(job.rel, job.data, job.data, failure=problem)
            if job.fmt != "ruff" and (job.unsorted is not None or job.sort_later) and \
                    needs_ruff(job.data, outcome.after, job.unsorted):
                outcome.sort_pending = True  # the caller asks ruff, many files at a time
                if tree is not None:  # or knows without asking (sorter.stays_sorted)
                    outcome.harmless = harmless_lines(job.data, outcome.after, tree)
                return outcome
            outcome.after = keep_sorted(job.data, outcome.after, job.rel, job.root,
                                        job.unsorted)
            if job.fmt == "ruff":
                outcome.after = ruff_format(outcome.after, job.rel, job.root)
            if job.diffs and outcome.after != job.data:
                outcome.diff = unified_diff(job.rel, job.data, outcome.after)
        return outcome
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - one bad file must not escape the worker
        return FileOutcome(job.rel, job.data, job.data, failure=failure_reason(exc))


def _check(job: Work, after: bytes, before: str, *, renamed_only: bool = False) -> str:
    """'' when the rewritten file is fine to write, else the file's outcome reason. Raises
    when the rewrite itself broke a file this Python compiled (a bug, reported as such).
    ``before``: the file's own parse error ('' when it parses). ``renamed_only``: ``after``
    differs from the file only by identifiers swapped for other identifiers and import lines
    added beside import lines (the splice), so it parses exactly when the file does."""
    if not before:
        if renamed_only:
            return ""
        broken = _parse_error(after)
        if broken:
            raise ValueError(f"rewrite produced invalid Python at {broken}")
        return ""
    if job.syntax_python:
        theirs = compile_error(job.syntax_python, job.data, job.rel)
        if theirs:
            return theirs if theirs.startswith("not checkable") else \
                f"does not compile with {job.syntax_python} ({theirs})"
        import libcst as cst

        cst.parse_module(after)  # the parser that accepted the original accepts the result
        return ""
    return NOT_CHECKABLE.format(version=python_version(sys.executable), error=before)


def _parse_error(data: bytes) -> str:
    """'' when this Python parses ``data``, else ``line N: message`` (a parse, not a compile:
    ``return`` outside a function is the syntax gate's to report, after the rewrite)."""
    return _parse(data)[1]


def _parse(data: bytes) -> tuple[ast.Module | None, str]:
    """The file's tree and '', or None and its parse error (see :func:`_parse_error`)."""
    try:
        return ast.parse(data), ""
    except SyntaxError as exc:
        return None, f"line {exc.lineno or 0}: {exc.msg}"
    except (ValueError, RecursionError) as exc:
        return None, f"line 0: {exc}"


def _detect(data: bytes, rel: str, module: str, is_pkg: bool, rules: tuple[Rule, ...],
            tree: ast.Module | None = None,
            contexts: Contexts | None = None
            ) -> list[Violation] | None:
    """Detect's own analysis (stdlib ast, ~10x faster than libcst): with no violation the
    byte prefilter matched only strings, comments or shadowed names, and the libcst pass is
    skipped. None when it cannot decide: hook kinds (codemods) decide for themselves, and a
    file detect cannot parse goes to libcst for its own verdict. ``contexts``: filled with what
    each call site's placeholders take (for the rewrite)."""
    if not all(is_semantic(r) for r in rules):
        return None
    found, problem = analyze_source(data, rel, module, is_pkg, _index(rules), tree=tree,
                                    contexts=contexts)
    return None if problem is not None else found


_INDEXES: dict[tuple[Rule, ...], RuleIndex] = {}


def _index(rules: tuple[Rule, ...]) -> RuleIndex:
    if rules not in _INDEXES:  # one per worker process and phase
        _INDEXES[rules] = RuleIndex.build(list(rules))
    return _INDEXES[rules]


def failure_reason(exc: BaseException) -> str:
    import libcst as cst

    if isinstance(exc, cst.ParserSyntaxError):
        return f"unparseable (line {exc.raw_line}, column {exc.raw_column}): {exc.message}"
    if isinstance(exc, UnicodeDecodeError):
        return f"cannot be decoded as {exc.encoding} ({exc.reason} at byte {exc.start})"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else 'no message'}"


def ruff_format(data: bytes, rel: str, root: str) -> bytes:
    """``ruff format -`` on a changed file (the phase or project asked for it)."""
    proc = subprocess.run([find_ruff_bin(), "format", "--stdin-filename", rel, "-"],
                          input=data, capture_output=True, cwd=root, timeout=120, check=False)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValueError(f"ruff format failed: {err[0] if err else proc.returncode}")
    return proc.stdout


__all__ = ["Work", "failure_reason", "plan_file", "ruff_format"]
