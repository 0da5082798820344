"""One phasegate run per repository: an ``flock`` on a file in the journal directory.

The kernel drops an flock when its process dies (even by SIGKILL), so there is never a stale
lock to clean up. The pid written into the file is only for the message a second run prints.
The lock is re-entrant within a process (``recover`` may run under ``migrate``'s lock), and its
descriptor is close-on-exec so gate subprocesses never inherit it and outlive us holding it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import EXIT_USAGE, MigrationError

_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, depth)


def holder(path: Path) -> int | None:
    """The pid recorded by whoever holds ``path`` (None if unreadable)."""
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def acquire(path: Path) -> None:
    """Take the lock or fail at once with ``locked by pid N`` (exit 2)."""
    key = str(path)
    if key in _held:
        fd, depth = _held[key]
        _held[key] = (fd, depth + 1)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        pid = holder(path)
        who = f"pid {pid}" if pid else "another process"
        raise MigrationError(f"locked by {who}: another phasegate run is working on this "
                             f"repository (lock: {path})", EXIT_USAGE) from None
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError as exc:  # the pid is only for messages, but a full disk is worth a word
        os.close(fd)
        raise _cannot(path, exc) from None
    _held[key] = (fd, 1)


def _cannot(path: Path, exc: OSError) -> MigrationError:
    return MigrationError(f"cannot take the lock {path}: {exc.strerror or exc}; nothing was "
                          "written", EXIT_USAGE)


def release(path: Path) -> None:
    key = str(path)
    if key not in _held:
        return
    fd, depth = _held.pop(key)
    if depth > 1:
        _held[key] = (fd, depth - 1)
        return
    os.close(fd)  # closing the descriptor drops the flock


@contextmanager
def locked(path: Path) -> Iterator[None]:
    acquire(path)
    try:
        yield
    finally:
        release(path)
