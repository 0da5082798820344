"""Durable file primitives for the journal: hashing, fsync'd writes, atomic replace.

Every write here is: temp file in the target's directory, every byte written, ``fsync``, then
``os.replace`` and an ``fsync`` of the directory, so a crash leaves either the old or the new
bytes, never a mix. A failed ``fsync`` is never retried: after a failed fsync the kernel may
have dropped the dirty pages, so a second fsync that "succeeds" proves nothing. The error is
raised and the caller aborts.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

TMP_MARK = ".pgtmp-"  # temp files phasegate leaves next to targets carry this mark


@dataclass(frozen=True)
class FileState:
    """What is at a path right now: kind ("file", "missing", "link", "other"), hash, mode."""

    kind: str
    sha256: str = ""
    mode: int = 0
    nlink: int = 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inspect(path: Path) -> FileState:
    """Hash a path without following links; a link or a device is never read."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return FileState("missing")
    if stat.S_ISLNK(st.st_mode):
        return FileState("link", mode=stat.S_IMODE(st.st_mode))
    if not stat.S_ISREG(st.st_mode):
        return FileState("other", mode=stat.S_IMODE(st.st_mode))
    data = read_nofollow(path)
    return FileState("file", sha256(data), stat.S_IMODE(st.st_mode), st.st_nlink)


def read_nofollow(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        chunks: list[bytes] = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is written (a short write is not an error)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def tmp_path(target: Path, tag: str) -> Path:
    """The temp file for ``target``: same directory (so the rename is atomic), marked, tagged."""
    return target.with_name(f".{target.name}{TMP_MARK}{tag}")


def write_tmp(tmp: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to a fresh ``tmp`` with exactly ``mode`` and fsync it."""
    remove_quietly(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        write_all(fd, data)
        os.fchmod(fd, mode)  # fchmod, not the open mode: the umask must not change the mode
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        remove_quietly(tmp)
        raise
    os.close(fd)


def write_durable(path: Path, data: bytes, mode: int = 0o644, *, sync_dir: bool = True) -> None:
    """Create or replace ``path`` atomically and durably (journal files: blobs, manifest).

    ``sync_dir=False`` leaves the directory fsync to the caller, who does it once for a batch.
    """
    tmp = tmp_path(path, str(os.getpid()))
    write_tmp(tmp, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise
    if sync_dir:
        fsync_dir(path.parent)


def append_durable(path: Path, line: bytes) -> None:
    """Append one line and fsync it (the journal log is append-only)."""
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        write_all(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        fsync_dir(path.parent)


def mkdir_durable(path: Path) -> None:
    """Create ``path`` (and parents) and fsync each new entry's parent directory."""
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        directory.mkdir(exist_ok=True)
        fsync_dir(directory.parent)


def remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
