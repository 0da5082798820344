"""Disk full, I/O errors and permission errors during apply: the phase aborts, the tree is
restored, and a failed fsync is never retried.

Faults are injected in-process by swapping the ``os`` module the journal modules see for a
proxy that fails one call (by function, path and occurrence) with a real ``OSError``.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from phasegate import journal
from phasegate.errors import EXIT_GATE, MigrationError
from phasegate.journal import apply_txn as journal_apply
from phasegate.journal import fsutil
from phasegate.journal import store as journal_store
from phasegate.journal import undo as journal_rollback
from tests.helpers.journal_repo import make_plan, make_repo, snapshot


class FaultyOs(SimpleNamespace):
    """``os`` with one call failing: ``fn`` on the ``nth`` descriptor/path matching ``mark``."""

    def __init__(self, fn: str, err: int, mark: str, nth: int) -> None:
        super().__init__()
        self.fn, self.err, self.mark, self.nth = fn, err, mark, nth
        self.paths: dict[int, str] = {}
        self.seen = 0
        self.events: list[tuple[str, str]] = []
        self.failed: str = ""

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        if name not in ("open", "write", "fsync", "replace", "close"):
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            where = self._where(name, args)
            self.events.append((name, where))
            if name == self.fn and re.search(self.mark, where) and not self.failed:
                self.seen += 1
                if self.seen == self.nth:
                    self.failed = where
                    raise OSError(self.err, os.strerror(self.err), where)
            result = real(*args, **kwargs)
            if name == "open":
                self.paths[result] = where
            return result

        return call

    def _where(self, name: str, args: tuple[Any, ...]) -> str:
        if name in ("write", "fsync", "close"):
            return self.paths.get(args[0], "?")
        return str(args[0])


CASES = {
    # name: (function, errno, path regex, occurrence, files already replaced when it fails)
    "enospc-blob": ("write", errno.ENOSPC, "/blobs/", 1, None),
    "eio-fsync-blobs-dir": ("fsync", errno.EIO, "/blobs$", 1, None),
    "enospc-manifest": ("write", errno.ENOSPC, "manifest.json", 1, None),
    "eio-fsync-log-prepared": ("fsync", errno.EIO, "log.jsonl", 2, None),
    "enospc-third-target": ("write", errno.ENOSPC, ".pgtmp-0001-p0", 3, 2),
    "eio-fsync-second-target": ("fsync", errno.EIO, ".pgtmp-0001-p0", 2, 1),
    "eacces-create-temp": ("open", errno.EACCES, ".pgtmp-0001-p0", 4, 3),
    "eacces-replace-second": ("replace", errno.EACCES, ".pgtmp-0001-p0", 2, 1),
    "eio-dir-fsync-first": ("fsync", errno.EIO, "src/app$", 1, 0),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fault_during_apply_aborts_and_restores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                case: str) -> None:
    fn, err, mark, nth, replaced = CASES[case]
    config = make_repo(tmp_path)
    before = snapshot(config.root)
    faulty = FaultyOs(fn, err, mark, nth)
    for mod in (fsutil, journal_apply, journal_rollback, journal_store):
        monkeypatch.setattr(mod, "os", faulty)
    with pytest.raises(MigrationError) as exc:
        journal.apply(config, "p0", make_plan(config))
    monkeypatch.undo()
    assert faulty.failed, "the fault was never injected"
    message = exc.value.message
    assert exc.value.exit_code == EXIT_GATE
    assert os.strerror(err) in message
    if replaced is None:
        assert message.startswith("apply aborted before any file was touched: cannot write the "
                                  "journal")
    else:
        assert message.startswith("apply aborted (src/app/")
        assert "the phase was rolled back" in message
        assert "verified" in message and "sha256 and mode match the pre-images" in message
    assert snapshot(config.root) == before
    assert journal.recover(config) == []  # nothing left for recovery: the abort finished


@pytest.mark.parametrize("case", ["eio-fsync-log-prepared", "eio-fsync-second-target"])
def test_failed_fsync_is_never_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       case: str) -> None:
    fn, err, mark, nth, _ = CASES[case]
    config = make_repo(tmp_path)
    faulty = FaultyOs(fn, err, mark, nth)
    for mod in (fsutil, journal_apply, journal_rollback, journal_store):
        monkeypatch.setattr(mod, "os", faulty)
    with pytest.raises(MigrationError):
        journal.apply(config, "p0", make_plan(config))
    at = faulty.events.index(("fsync", faulty.failed))
    closed = faulty.events.index(("close", faulty.failed), at)
    assert ("fsync", faulty.failed) not in faulty.events[at + 1:closed]


@pytest.mark.parametrize(("fn", "err"), [("replace", errno.EIO), ("write", errno.ENOSPC)])
def test_fault_during_rollback_stops_and_the_next_run_finishes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fn: str, err: int) -> None:
    config = make_repo(tmp_path)
    before = snapshot(config.root)
    journal.commit(config, journal.apply(config, "p0", make_plan(config)))
    faulty = FaultyOs(fn, err, ".pgtmp-0001-p0", 2)
    for mod in (fsutil, journal_apply, journal_rollback, journal_store):
        monkeypatch.setattr(mod, "os", faulty)
    with pytest.raises(MigrationError) as exc:
        journal.rollback_phase(config, "p0")
    monkeypatch.undo()
    assert exc.value.exit_code == 4
    assert exc.value.message.startswith("rollback of p0 stopped at src/app/")
    assert "1 file(s) restored so far, nothing lost" in exc.value.message
    lines = journal.recover(config)  # the interrupted rollback is finished by recovery
    assert lines[0].startswith("recovered: phase p0 was left half-rolled-back")
    assert snapshot(config.root) == before
