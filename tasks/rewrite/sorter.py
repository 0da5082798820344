"""The sorter's checks of rewritten files, run by plan in threads while its workers go on:
one ``ruff`` process a file, many at a time (see sorting.py for what is checked and why)."""

from __future__ import annotations

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
                                 stays_sorted(outcome, unsorted)):
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


def stays_sorted(outcome: FileOutcome, unsorted: Diagnostics) -> bool:
    """Whether the blocks of ``outcome.after`` that were sorted in ``outcome.before``
    (``unsorted``: ruff's I001 diagnostics of ``before``) are still sorted, and the others
    changed in place, without asking ruff: each line the rewrite changed is either in a block
    that was not sorted and keeps a line the rewrite did not touch (as in
    ``sorting.needs_ruff``), or one the worker found harmless anywhere (code, or a one-name
    import renamed in place: ``harmless.harmless_lines``)."""
    if outcome.harmless is None:
        return False
    old, new = outcome.before.splitlines(keepends=True), outcome.after.splitlines(keepends=True)
    blocks = [span(item) for item in unsorted]
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if a == b:
            continue
        block = next(((lo, hi) for lo, hi in blocks if lo <= i <= hi), None)
        if block is None:
            if i not in outcome.harmless:
                return False
        elif all(old[j] != new[j] for j in range(block[0], block[1] + 1)):
            return False  # a block not sorted, every line of it rewritten: ruff decides
    return True
