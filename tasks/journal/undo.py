"""Rollback of one transaction, decided per file by content hash, never by the log.

A file whose bytes are the post-image gets its pre-image back (the stored blob is checked
against its hash first); a file already at its pre-image is skipped; anything else (edited,
deleted, replaced by a link since the migration) is a conflict: left untouched, with its pre,
post and current versions copied under the journal. Every restore is a compare-and-swap: the
target must still hold the post-image right before ``os.replace``. Rolling back twice is
harmless, so recovery may be killed and run again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EXIT_CONFLICT, MigrationError
from . import crashpoints, fsutil
from .store import ROLLED_BACK, Entry, Txn, load_blob, log_step, read_manifest, unsafe_path


@dataclass(frozen=True)
class Conflict:
    path: str
    reason: str
    copies: tuple[tuple[str, str], ...]  # (pre|post|current, where it was saved)


@dataclass
class RollbackReport:
    phase: str
    txn: str
    restored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already at their pre-image
    conflicts: list[Conflict] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)  # failed the final verification
    verified: int = 0
    note: str = ""  # how the rollback had to be done, when not from the journal

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.mismatched

    def lines(self) -> list[str]:
        out = [self.note] if self.note else []
        out.append(f"rollback {self.phase} ({self.txn}): {len(self.restored)} restored, "
                   f"{len(self.skipped)} already at their pre-image, "
                   f"{len(self.conflicts)} conflict(s)")
        for c in self.conflicts:
            out.append(f"conflict: {c.path}: {c.reason}; left untouched")
            out += [f"  {kind}: {where}" for kind, where in c.copies]
        out += [f"verification failed: {m}" for m in self.mismatched]
        if not self.mismatched:
            out.append(f"verified {self.verified} files: sha256 and mode match the pre-images")
        else:
            out.append(f"verified {self.verified} files; {len(self.mismatched)} do not match")
        return out


class _Changed(Exception):
    """The target changed between the decision and the replace (compare-and-swap lost)."""


def rollback_txn(root: Path, txn: Txn, prefix: str = "rollback") -> RollbackReport:
    """Undo ``txn``; crash points are named ``<prefix>-...`` (rollback or recover)."""
    entries = read_manifest(txn, root)
    pres = {e.pre: load_blob(txn, e.pre) for e in entries}  # refuse tampering before writing
    log_step(txn, "rollback-started", by=prefix)
    crashpoints.hit(f"{prefix}-after-start-log")
    report = RollbackReport(txn.phase, txn.id)
    attempt = _next_attempt(txn)
    for entry in entries:
        try:
            _rollback_one(root, txn, entry, pres[entry.pre], report, attempt, prefix)
        except OSError as exc:
            # stop at once (a failed fsync is not retried); what is done stays done, and the
            # next run, decided by hashes again, finishes the rest
            raise MigrationError(
                f"rollback of {txn.phase} stopped at {entry.path}: {exc.strerror or exc}; "
                f"{len(report.restored)} file(s) restored so far, nothing lost; run the "
                "rollback (or phasegate recover) again", EXIT_CONFLICT) from None
    verify(root, entries, report)
    crashpoints.hit(f"{prefix}-before-done-log")
    if report.clean:
        log_step(txn, ROLLED_BACK, restored=len(report.restored))
    else:
        log_step(txn, "rollback-conflicts", paths=[c.path for c in report.conflicts])
    return report


def _rollback_one(root: Path, txn: Txn, entry: Entry, pre: bytes, report: RollbackReport,
                  attempt: Path, prefix: str) -> None:
    target = root / entry.path
    if unsafe_path(root, entry.path):  # a directory on the way is now a link: never follow it
        report.conflicts.append(_save_conflict(txn, entry, target, BEHIND_LINK, attempt))
        return
    fsutil.remove_quietly(fsutil.tmp_path(target, txn.id))  # a temp file a crash left behind
    now = fsutil.inspect(target)
    if now.kind == "file" and now.sha256 == entry.pre:
        report.skipped.append(entry.path)
        return
    if now.kind == "file" and now.sha256 == entry.post and now.nlink == 1:
        try:
            _restore(target, txn, entry, pre, prefix)
        except _Changed:
            now = fsutil.inspect(target)
        else:
            report.restored.append(entry.path)
            return
    report.conflicts.append(_save_conflict(txn, entry, target, now, attempt))


def _restore(target: Path, txn: Txn, entry: Entry, pre: bytes, prefix: str) -> None:
    tmp = fsutil.tmp_path(target, txn.id)
    fsutil.write_tmp(tmp, pre, entry.mode)
    crashpoints.hit(f"{prefix}-before-restore")
    now = fsutil.inspect(target)
    if now.kind != "file" or now.sha256 != entry.post:
        fsutil.remove_quietly(tmp)
        raise _Changed
    os.replace(tmp, target)
    fsutil.fsync_dir(target.parent)
    crashpoints.hit(f"{prefix}-after-restore")
    log_step(txn, "restored", path=entry.path)


BEHIND_LINK = fsutil.FileState("behind-link")


def reason(now: fsutil.FileState, entry: Entry) -> str:
    if now.kind == "behind-link":
        return "a directory on its path was replaced by a symlink (never followed)"
    if now.kind == "missing":
        return "deleted since the migration"
    if now.kind in ("link", "other"):
        return f"replaced by a {'symlink' if now.kind == 'link' else 'non-regular file'}"
    if now.nlink > 1:
        return "hard-linked since the migration"
    return "changed since the migration (neither the pre- nor the post-image)"


def _next_attempt(txn: Txn) -> Path:
    base = txn.dir / "conflicts"
    n = 1
    while (base / str(n)).exists():
        n += 1
    return base / str(n)


def _save_conflict(txn: Txn, entry: Entry, target: Path, now: fsutil.FileState,
                   attempt: Path) -> Conflict:
    where = attempt / entry.path
    fsutil.mkdir_durable(where.parent)
    copies = []
    for kind, digest in (("pre", entry.pre), ("post", entry.post)):
        if txn.blob(digest).exists():
            dest = where.with_name(f"{where.name}.{kind}")
            fsutil.write_durable(dest, txn.blob(digest).read_bytes())
            copies.append((kind, str(dest)))
    if now.kind == "file":
        dest = where.with_name(f"{where.name}.current")
        fsutil.write_durable(dest, fsutil.read_nofollow(target))
        copies.append(("current", str(dest)))
    return Conflict(entry.path, reason(now, entry), tuple(copies))


def verify(root: Path, entries: list[Entry], report: RollbackReport) -> None:
    """Re-hash every restored or skipped file; compare sha256 and mode with the manifest."""
    by_path = {e.path: e for e in entries}
    for rel in report.restored + report.skipped:
        now = fsutil.inspect(root / rel)
        entry = by_path[rel]
        if now.kind != "file" or now.sha256 != entry.pre or now.mode != entry.mode:
            report.mismatched.append(f"{rel}: expected sha256 {entry.pre[:12]} mode "
                                     f"{entry.mode:o}, found {now.sha256[:12] or now.kind} "
                                     f"mode {now.mode:o}")
        else:
            report.verified += 1
