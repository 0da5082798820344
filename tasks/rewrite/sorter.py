"""The sorter's checks of rewritten files, run by plan in threads while its workers go on:
one ``ruff`` process a file, many at a time (see sorting.py for what is checked and why)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from typing import TYPE_CHECKING

from .model import FileOutcome, unified_diff
from .sorting import keep_sorted, needs_ruff, ruff_i001, span
from .worker import failure_reason

if TYPE_CHECKING:
    from concurrent.futures import Future

Diagnostics = list[dict[str, object]]


def sort_check(outcome: FileOutcome, root: str, on_disk: Future[dict[str, Diagnostics]] | None,
               diffs: bool = False) -> FileOutcome:
    """The outcome of a rewritten file whose import lines changed, its new imports placed by
    the sorter where the file was sorted (in a thread: ruff, then the placing). ``on_disk``:
    ruff's I001 diagnostics of the files as they are on disk, when that run was made.
    ``diffs``: with its diff (FileOutcome.diff)."""
    unsorted = on_disk.result().get(outcome.path) if on_disk is not None else None
    if unsorted is not None and (not needs_ruff(outcome.before, outcome.after, unsorted) or
                                 stays_sorted(outcome.before, outcome.after, unsorted)):
        outcome.sort_pending = False  # the rewrite left the sorted blocks as they were
    else:
        found = ruff_i001(outcome.after, outcome.path, root)
        outcome = sorted_outcome(outcome, root, unsorted, found)
    if diffs and not outcome.failure and outcome.after != outcome.before:
        outcome.diff = unified_diff(outcome.path, outcome.before, outcome.after)
    return outcome


def sorted_outcome(outcome: FileOutcome, root: str, unsorted: Diagnostics | None,
                   found: Diagnostics | None) -> FileOutcome:
    """The outcome with its new imports placed by the sorter, given ruff's answer about it;
    never raises (like a worker, see :func:`plan_file`)."""
    try:
        outcome.after = keep_sorted(outcome.before, outcome.after, outcome.path, root, unsorted,
                                    asked=True, found_after=found)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the plan
        return FileOutcome(outcome.path, outcome.before, outcome.before,
                           failure=failure_reason(exc))
    outcome.sort_pending = False
    return outcome


# a one-line ``from M import N`` (``as A``), without a comment: (prefix, module, name, rest)
_ONE_NAME = re.compile(rb"([ \t]*from[ \t]+([A-Za-z0-9_.]+)[ \t]+import[ \t]+)"
                       rb"([A-Za-z_][A-Za-z0-9_]*)((?:[ \t]+as[ \t]+[A-Za-z_][A-Za-z0-9_]*)?"
                       rb"[ \t]*\r?\n?)")


def stays_sorted(before: bytes, after: bytes, unsorted: Diagnostics) -> bool:
    """Whether the blocks of ``after`` that were sorted in ``before`` (``unsorted``: ruff's
    I001 diagnostics of ``before``) are still sorted, and the others changed in place, without
    asking ruff. Each line the rewrite changed is either in a block that was not sorted and
    keeps a line the rewrite did not touch (as in ``sorting.needs_ruff``), or code, or a
    one-line ``from M import N`` (``as A``, no comment) of which only ``N`` changed, to a name
    no longer, no other import in the file being of M. The sorter orders statements by their
    module (with ``length-sort``, by its length; the first name only between statements of
    one module) and a statement's names among themselves: one name renamed moves nothing,
    and a line no longer than before needs no wrapping. Anything else (a module that
    changed, a longer line, two statements of M): ruff is asked."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(old) != len(new):
        return False
    blocks = [span(item) for item in unsorted]
    changed: list[int] = []
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if a == b:
            continue
        block = next(((lo, hi) for lo, hi in blocks if lo <= i <= hi), None)
        if block is None:
            changed.append(i)
        elif all(old[j] != new[j] for j in range(block[0], block[1] + 1)):
            return False  # a block not sorted, every line of it rewritten: ruff decides
    renamed: set[int] = set()  # 1-based lines
    for i in changed:
        was, now = _ONE_NAME.fullmatch(old[i]), _ONE_NAME.fullmatch(new[i])
        if was is None and now is None:
            continue  # no one-line import: inside one or not is asked of the tree below
        if was is None or now is None or (was[1], was[4]) != (now[1], now[4]) or \
                len(new[i]) > len(old[i]):
            return False
        renamed.add(i + 1)
    if not changed:
        return True  # only blocks that were not sorted changed, each in place
    try:
        tree = ast.parse(after)
    except (SyntaxError, ValueError):
        return False
    modules: Counter[str] = Counter()
    where: dict[int, ast.stmt] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            modules["." * node.level + (node.module or "")] += 1
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        else:
            continue
        where.update(dict.fromkeys(range(node.lineno, (node.end_lineno or node.lineno) + 1),
                                   node))
    for line in (i + 1 for i in changed):
        node = where.get(line)
        if node is None and line not in renamed:
            continue  # code, not an import
        if not (isinstance(node, ast.ImportFrom) and line in renamed and
                node.end_lineno == node.lineno and len(node.names) == 1 and
                modules["." * node.level + (node.module or "")] == 1):
            return False
    return True
