"""Apply a phase through the journal: images and manifest durable first, then atomic replaces.

Order (docs/journal.md): check every file (unchanged since the plan, clean in git,
a plain file with one link) → pre- and post-image blobs (fsync'd) → manifest with its hash →
log ``prepared`` → per file: temp file beside the target with the original mode, fsync,
compare-and-swap on the pre hash, ``os.replace``, fsync the directory, log ``replaced`` →
log ``applied``. Any error on the way (disk full, I/O error, permission denied, a file edited
under us) rolls back what was already replaced and raises; a failed fsync is never retried.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..config import Config
from ..errors import EXIT_CONFLICT, EXIT_GATE, EXIT_USAGE, MigrationError
from ..model import FileProblem
from ..statedir import journal_dir
from . import crashpoints, fsutil
from .store import (
    ABANDONED,
    Entry,
    Txn,
    log_step,
    new_txn,
    unsafe_path,
    write_manifest,
)
from .undo import rollback_txn


class Change(Protocol):
    """What apply needs from a plan's FilePlan."""

    @property
    def path(self) -> str: ...
    @property
    def before(self) -> bytes: ...
    @property
    def after(self) -> bytes: ...


@dataclass
class Transaction:
    txn: Txn
    entries: list[Entry]
    skipped: list[FileProblem] = field(default_factory=list)
    # path -> bytes before: the undo survives even if the journal vanishes during the gates
    images: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def phase(self) -> str:
        return self.txn.phase

    @property
    def paths(self) -> list[str]:
        return [e.path for e in self.entries]


class _Changed(Exception):
    """A target no longer holds its pre-image at replace time."""


def link_reason(path: Path) -> str:
    """Why apply must not replace ``path`` ('' for a plain, singly-linked file)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "missing"
    if stat.S_ISLNK(st.st_mode):
        return "symlink (never replaced)"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    if st.st_nlink > 1:
        return f"hard link ({st.st_nlink} names; replacing one would split them)"
    return ""


def dirty_files(root: Path, paths: Sequence[str]) -> list[str]:
    """Those of ``paths`` with uncommitted changes in git (staged, unstaged or untracked)."""
    def git(*argv: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", "-C", str(root), *argv], capture_output=True,
                              check=False, timeout=120)

    if git("rev-parse", "--is-inside-work-tree").returncode != 0:
        return []  # no git: nothing to compare with; the journal still protects every byte
    if git("rev-parse", "--verify", "-q", "HEAD").returncode != 0:
        return sorted(paths)  # no commit yet: nothing is committed
    diff = git("diff", "HEAD", "--name-only", "-z", "--relative", "--", ".")
    listed = git("ls-files", "-o", "--exclude-standard", "-z", "--", ".")
    for out in (diff, listed):
        if out.returncode != 0:  # git's own error, never taken for "everything is dirty"
            said = out.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"]
            raise MigrationError(f"cannot tell which files have uncommitted changes: "
                                 f"git {' '.join(out.args[3:5])} failed: {said[0]} "
                                 "(nothing was written)", EXIT_USAGE)
    changed, untracked = diff.stdout, listed.stdout
    names = {n.decode("utf-8", "surrogateescape") for n in (changed + b"\0" + untracked)
             .split(b"\0") if n}
    return sorted(p for p in paths if p in names)


def check(config: Config, changes: Sequence[Change], allow_dirty: bool,
          ) -> tuple[list[Change], list[FileProblem]]:
    """The changes apply may make, the files it skips; raises (nothing written) on refusal."""
    todo, skipped, stale = [], [], []
    for change in changes:
        if change.before == change.after:
            continue
        why = unsafe_path(config.root, change.path)
        if why:
            raise MigrationError(f"{change.path}: {why}; refusing to apply", EXIT_USAGE)
        reason = link_reason(config.root / change.path)
        if reason == "missing" or (not reason and _current(config.root, change) != change.before):
            stale.append(change.path)
        elif reason:
            skipped.append(FileProblem(change.path, reason))
        else:
            todo.append(change)
    if stale:
        raise MigrationError(f"changed since the plan was made: {', '.join(stale)}; nothing was"
                             " written (run the migration again)", EXIT_USAGE)
    dirty = [] if allow_dirty else dirty_files(config.root, [c.path for c in todo])
    if dirty:
        raise MigrationError(f"uncommitted changes in git: {', '.join(dirty)}; commit or stash"
                             " them, or pass --allow-dirty (nothing was written)", EXIT_USAGE)
    return todo, skipped


def _current(root: Path, change: Change) -> bytes:
    try:
        return fsutil.read_nofollow(root / change.path)
    except OSError as exc:
        raise MigrationError(f"{change.path}: cannot read: {exc.strerror}; nothing was written",
                             EXIT_USAGE) from None


def apply(config: Config, phase_id: str, changes: Sequence[Change], *,
          allow_dirty: bool = False) -> Transaction:
    """Journal and replace every changed file of the phase; the caller holds the lock."""
    todo, skipped = check(config, changes, allow_dirty)
    return apply_checked(config, phase_id, todo, skipped)


def apply_checked(config: Config, phase_id: str, todo: Sequence[Change],
                  skipped: Sequence[FileProblem] = ()) -> Transaction:
    """Apply what :func:`check` accepted (each file is compared with its pre-image again right
    before its replace, so nothing is hashed twice in between)."""
    try:
        txn = new_txn(config, phase_id)
        log_step(txn, "begin", files=len(todo))
    except OSError as exc:
        where = exc.filename or journal_dir(config)
        raise MigrationError(f"cannot write the journal {where}: {_describe(exc)}; nothing "
                             "was written", EXIT_USAGE) from None
    crashpoints.hit("apply-after-begin-log")
    entries = _prepare(config.root, txn, todo)
    crashpoints.hit("apply-after-prepared-log")
    for change, entry in zip(todo, entries, strict=True):
        try:
            _replace(config.root, txn, entry, change.after)
        except (OSError, _Changed) as exc:
            raise _abort(config.root, txn, entry, exc) from None
    try:
        log_step(txn, "applied")
    except OSError as exc:
        if not entries:
            raise
        raise _abort(config.root, txn, entries[-1], exc) from None
    crashpoints.hit("apply-after-applied-log")
    return Transaction(txn, entries, list(skipped), {c.path: c.before for c in todo})


def _prepare(root: Path, txn: Txn, todo: Sequence[Change]) -> list[Entry]:
    """Blobs, manifest, ``prepared``: all durable before any target is touched."""
    try:
        entries = []
        for change in todo:
            mode = stat.S_IMODE(os.lstat(root / change.path).st_mode)
            pre, post = fsutil.sha256(change.before), fsutil.sha256(change.after)
            for digest, data in ((pre, change.before), (post, change.after)):
                if not txn.blob(digest).exists():
                    fsutil.write_durable(txn.blob(digest), data, 0o644, sync_dir=False)
            entries.append(Entry(change.path, pre, len(change.before), mode, post))
        fsutil.fsync_dir(txn.dir / "blobs")  # once for every blob above
        crashpoints.hit("apply-after-preimages")
        write_manifest(txn, entries)
        crashpoints.hit("apply-after-manifest")
        log_step(txn, "prepared")
    except OSError as exc:
        _mark_abandoned(txn)
        raise MigrationError(f"apply aborted before any file was touched: cannot write the "
                             f"journal in {txn.dir}: {_describe(exc)}", EXIT_GATE) from None
    return entries


def _replace(root: Path, txn: Txn, entry: Entry, after: bytes) -> None:
    target = root / entry.path
    tmp = fsutil.tmp_path(target, txn.id)
    fsutil.write_tmp(tmp, after, entry.mode)
    crashpoints.hit("apply-before-replace")
    now = fsutil.inspect(target)
    if now.kind != "file" or now.sha256 != entry.pre or now.nlink != 1:
        fsutil.remove_quietly(tmp)
        raise _Changed(f"{entry.path} changed while the phase was being applied")
    try:
        os.replace(tmp, target)
    except OSError:
        fsutil.remove_quietly(tmp)
        raise
    crashpoints.hit("apply-after-replace")
    fsutil.fsync_dir(target.parent)
    crashpoints.hit("apply-after-dir-fsync")
    log_step(txn, "replaced", path=entry.path)


def _abort(root: Path, txn: Txn, entry: Entry, exc: BaseException) -> MigrationError:
    """Roll back after a failed replace; the error says what happened and what was restored."""
    why = f"{entry.path}: {_describe(exc)}" if isinstance(exc, OSError) else str(exc)
    try:
        report = rollback_txn(root, txn)
    except (OSError, MigrationError) as again:
        return MigrationError(f"apply aborted ({why}) and its rollback failed too "
                              f"({_describe(again)}); run: phasegate recover", EXIT_GATE)
    lines = "\n".join(report.lines())
    code = EXIT_GATE if report.clean else EXIT_CONFLICT
    return MigrationError(f"apply aborted ({why}); the phase was rolled back\n{lines}", code)


def _mark_abandoned(txn: Txn) -> None:
    try:
        log_step(txn, ABANDONED)
    except OSError:
        pass  # recovery treats a transaction that never reached 'prepared' the same way


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
