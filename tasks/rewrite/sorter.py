"""The sorter's checks of rewritten files, run by plan in threads while its workers go on:
one ``ruff`` process a file, many at a time (see sorting.py for what is checked and why)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import FileOutcome, unified_diff
from .sorting import keep_sorted, needs_ruff, ruff_i001
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
    if unsorted is not None and not needs_ruff(outcome.before, outcome.after, unsorted):
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
