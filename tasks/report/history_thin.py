"""Thinning the history: what goes when the file passes its bound (see :mod:`.history`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .history import Record


def is_event(record: Record, previous: Record | None) -> bool:
    """A migrate / rollback record, or one whose phase statuses differ from the record before."""
    return record.event != "detect" or (previous is not None and record.status != previous.status)


def thin(records: list[Record], keep: int) -> list[Record]:
    """At most ``keep`` records (more only when the protected ones are more): the first, the
    last and every phase event always stay. Records that say nothing new (the same counts,
    files and statuses as the one before) go first, then every other one of the older half of
    the rest, again and again, so recent history keeps its detail."""
    if len(records) <= keep:
        return list(records)
    last = len(records) - 1
    protected = [i in (0, last) or is_event(r, records[i - 1] if i else None)
                 for i, r in enumerate(records)]
    items = [(r, p) for i, (r, p) in enumerate(zip(records, protected, strict=True))
             if p or not same(r, records[i - 1])]
    while len(items) > keep:
        free = [i for i, (_, p) in enumerate(items) if not p]
        if not free:
            break
        older = free[: max(1, len(free) // 2)][::2][: len(items) - keep]
        drop = set(older)
        items = [item for i, item in enumerate(items) if i not in drop]
    return [r for r, _ in items]


def same(a: Record, b: Record) -> bool:
    """The same counts, files and statuses: nothing new."""
    return (a.counts, a.files, a.status) == (b.counts, b.files, b.status)
