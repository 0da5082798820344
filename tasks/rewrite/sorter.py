"""The sorter's checks of rewritten files, run by plan in threads while its workers go on:
one ``ruff`` process a file, many at a time (see sorting.py for what is checked and why)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import FileOutcome
from .sorting import keep_sorted, needs_ruff, ruff_i001
from .worker import failure_reason

if TYPE_CHECKING:
    from concurrent.futures import Future

Diagnostics = list[dict[str, object]]


def sort_check(outcome: FileOutcome, root: str, on_disk: Future[dict[str, Diagnostics]] | None
                ) -> tuple[Diagnostics | None, Diagnostics | None, bool]:
    """(ruff's I001 diagnostics of the file on disk, of the rewritten file, whether the sorter
    is needed at all) for a rewritten file whose import lines changed (in a thread)."""
    unsorted = on_disk.result().get(outcome.path) if on_disk is not None else None
    if unsorted is not None and not needs_ruff(outcome.before, outcome.after, unsorted):
        return unsorted, None, False
    return unsorted, ruff_i001(outcome.after, outcome.path, root), True


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
