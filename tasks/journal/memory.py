"""Rollback from the pre-images still held in memory, for when the journal cannot be used.

The run that applied a phase still has every file's bytes before and after: if its journal was
deleted or became unwritable while the gates ran, the undo is not lost. The rules are the
rollback's (docs/journal.md): decided per file by hash, a compare-and-swap right before each
replace, anything neither pre- nor post-image is a conflict left untouched (its three versions
saved in a fresh temporary directory, since the journal is gone), then every file is verified.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from . import fsutil
from .store import Entry, unsafe_path
from .undo import BEHIND_LINK, Conflict, RollbackReport, reason, verify


def restore(root: Path, phase: str, txn_id: str, entries: list[Entry],
            images: Mapping[str, bytes], why: str) -> RollbackReport:
    """Put every entry back to its pre-image from ``images`` (path -> bytes before)."""
    report = RollbackReport(phase, txn_id, note=f"the journal could not be used ({why}); "
                                                "restored from the pre-images held in memory")
    saved: list[Path] = []
    for entry in entries:
        target = root / entry.path
        now = BEHIND_LINK if unsafe_path(root, entry.path) else fsutil.inspect(target)
        if now.kind == "file" and now.sha256 == entry.pre:
            report.skipped.append(entry.path)
        elif now.kind == "file" and now.sha256 == entry.post and now.nlink == 1 \
                and _swap(target, txn_id, entry, images[entry.path]):
            report.restored.append(entry.path)
        else:
            report.conflicts.append(_keep(entry, target, now, images[entry.path], saved))
    verify(root, entries, report)
    return report


def _swap(target: Path, tag: str, entry: Entry, pre: bytes) -> bool:
    """Replace the post-image by ``pre``; False when the target changed under us."""
    tmp = fsutil.tmp_path(target, tag)
    fsutil.write_tmp(tmp, pre, entry.mode)
    if fsutil.inspect(target).sha256 != entry.post:
        fsutil.remove_quietly(tmp)
        return False
    os.replace(tmp, target)
    fsutil.fsync_dir(target.parent)
    return True


def _keep(entry: Entry, target: Path, now: fsutil.FileState, pre: bytes,
          saved: list[Path]) -> Conflict:
    if not saved:
        saved.append(Path(tempfile.mkdtemp(prefix="phasegate-conflicts-")))
    where = saved[0] / entry.path
    where.parent.mkdir(parents=True, exist_ok=True)
    copies = [("pre", where.with_name(f"{where.name}.pre"))]
    fsutil.write_durable(copies[0][1], pre)
    if now.kind == "file":
        copies.append(("current", where.with_name(f"{where.name}.current")))
        fsutil.write_durable(copies[1][1], fsutil.read_nofollow(target))
    return Conflict(entry.path, reason(now, entry), tuple((k, str(p)) for k, p in copies))
