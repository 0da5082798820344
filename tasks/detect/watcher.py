"""The watcher behind ``phasegate watch``: a background process that follows every change under a
project root with Linux inotify, so a replayed ``detect`` (:mod:`.replay`) can ask it whether
anything changed instead of having git lstat every file.

How it stays right:

- **Every directory under the root is watched** (not ``<root>/.git``: the replay checks the
  index, HEAD and journal itself), before the watcher says it is ready. A directory created or
  moved in is watched as soon as its event is read, and only then counted as a change, so a
  token handed out after that covers the files made in it before the watch existed (the run
  that gets the token lists them itself).
- **inotify queues an event inside the system call that changed the file**, so when a question
  arrives the watcher first reads every queued event: each change completed before the
  question was asked is counted in the answer.
- **A token is (instance, count of changes)**. Each change is kept with its path relative to
  the root, so a question may leave out the paths the asking run writes itself (its
  ``--output`` report). A change with no reliable path (the event queue overflowed, a directory
  moved or removed, a watch that could not be added) counts against every question; when more
  changes happened since a token than the watcher keeps, the answer is "changed".
- ``*.pyc`` files are not counted (Python writes them as it imports; detect never reads them).

Limits, said where the watcher starts: local file systems only (inotify does not see a change
made on another machine over NFS), and a write through a shared memory map is not an event; the
watcher stops when its root is removed or moved, on ``phasegate watch --stop``, on SIGTERM, and
after :data:`IDLE_S` without a question. It listens on an abstract Unix socket
(:func:`.watch_client.address`) and answers only its own user. Run as ``python -m
phasegate.detect.watcher ROOT LOG``; it prints one line (``ready <directories> <pid>`` or
``error: <why>``), then writes only to LOG (a traceback, should it fail: its socket goes with
it and replays check the tree with git again).
"""

from __future__ import annotations

import collections
import ctypes
import ctypes.util
import errno
import os
import select
import signal
import socket
import struct
import sys
import time
import uuid

from . import watch_client

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED = (
    0x400, 0x800, 0x2000, 0x4000, 0x8000)
IN_ONLYDIR, IN_DONT_FOLLOW, IN_ISDIR = 0x01000000, 0x02000000, 0x40000000
MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
        | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)
EVENT = struct.Struct("iIII")
KEPT = 8192  # changes remembered with their paths; a token older than these is "changed"
IDLE_S = 12 * 3600  # no question for this long: the watcher exits
NOT_COUNTED = (b".pyc",)


class WatchError(Exception):
    """The watcher cannot start (no inotify, the watch limit, the socket)."""


class Inotify:
    def __init__(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        try:
            self._add = libc.inotify_add_watch
        except AttributeError as exc:
            raise WatchError("this system has no inotify (the watcher needs Linux)") from exc
        self._add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise WatchError(f"inotify_init1: {os.strerror(ctypes.get_errno())}")

    def add(self, path: bytes) -> int:
        """The watch descriptor, or -errno."""
        wd = self._add(self.fd, path, MASK)
        return wd if wd >= 0 else -ctypes.get_errno()

    def read(self) -> list[tuple[int, int, bytes]]:
        """Every queued event: (wd, mask, name)."""
        out: list[tuple[int, int, bytes]] = []
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return out
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, size = EVENT.unpack_from(data, offset)
                offset += EVENT.size
                name = data[offset:offset + size].rstrip(b"\0")
                offset += size
                out.append((wd, mask, name))


class Watcher:
    def __init__(self, root: str) -> None:
        self.root = os.fsencode(os.path.realpath(root))
        self.instance = uuid.uuid4().hex[:16]
        self.ino = Inotify()
        self.dirs: dict[int, bytes] = {}  # wd -> directory relative to the root (b"" for it)
        self.generation = 0
        self.changes: collections.deque[tuple[int, bytes | None]] = collections.deque(
            maxlen=KEPT)
        self.gone = False  # the root itself was removed or moved

    # -- watches --------------------------------------------------------------------------
    def watch_tree(self, rel: bytes, *, strict: bool) -> None:
        """Watch ``rel`` and every directory under it (not following symlinks)."""
        todo = [rel]
        while todo:
            here = todo.pop()
            full = os.path.join(self.root, here) if here else self.root
            wd = self.ino.add(full)
            if wd < 0:
                if -wd in (errno.ENOENT, errno.ENOTDIR, errno.EACCES) and here:
                    continue  # gone already, or unreadable: nothing of it can be listed
                if strict or -wd == errno.ENOSPC:
                    hint = (" (raise fs.inotify.max_user_watches)" if -wd == errno.ENOSPC
                            else "")
                    raise WatchError(f"cannot watch {os.fsdecode(full)}: "
                                     f"{os.strerror(-wd)}{hint}")
                continue
            self.dirs[wd] = here
            try:
                with os.scandir(full) as entries:
                    for entry in entries:
                        if entry.is_dir(follow_symlinks=False) and not (
                                not here and entry.name == b".git"):
                            todo.append(os.path.join(here, entry.name) if here else entry.name)
            except OSError:
                if strict and not here:
                    raise

    # -- events ---------------------------------------------------------------------------
    def drain(self) -> None:
        for wd, mask, name in self.ino.read():
            self._event(wd, mask, name)

    def _count(self, path: bytes | None) -> None:
        self.generation += 1
        self.changes.append((self.generation, path))

    def _event(self, wd: int, mask: int, name: bytes) -> None:
        if mask & IN_Q_OVERFLOW:
            self._count(None)
            return
        here = self.dirs.get(wd)
        if mask & IN_IGNORED:
            self.dirs.pop(wd, None)
            if here == b"":
                self.gone = True
            self._count(None)
            return
        if here is None:
            self._count(None)  # a watch already dropped: where it was is not known
            return
        if mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT):
            if here == b"":
                self.gone = True
            self._count(None)
            return
        if not here and name == b".git":
            return
        rel = os.path.join(here, name) if here else name
        if mask & IN_ISDIR:
            if mask & (IN_CREATE | IN_MOVED_TO):
                self.watch_tree(rel, strict=False)  # watched before it counts: see the module
            self._count(None)
            return
        if name.endswith(NOT_COUNTED):
            return
        self._count(rel)

    # -- questions ------------------------------------------------------------------------
    def answer(self, request: bytes) -> bytes:
        self.drain()
        head, *ignored = request.split(b"\0")
        parts = head.split()
        same = False
        if len(parts) == 2 and parts[0].decode("ascii", "replace") == self.instance \
                and parts[1].isdigit():
            same = self._unchanged_since(int(parts[1]), set(ignored))
        verdict = b"same" if same else b"changed"
        return f"{self.instance} {self.generation} ".encode() + verdict

    def _unchanged_since(self, since: int, ignored: set[bytes]) -> bool:
        if since > self.generation:
            return False
        if since == self.generation:
            return True
        if not self.changes or self.changes[0][0] > since + 1:
            return False  # some changes since were forgotten
        return all(path is not None and path in ignored
                   for generation, path in self.changes if generation > since)


def serve(watcher: Watcher, listener: socket.socket, idle_s: float = IDLE_S) -> None:
    """Answer questions until stopped, the root goes, or nobody asks for ``idle_s``."""
    last = time.monotonic()
    stop = False
    while not stop and not watcher.gone and time.monotonic() - last < idle_s:
        try:
            ready, _, _ = select.select([watcher.ino.fd, listener], [], [], min(idle_s, 60.0))
        except InterruptedError:
            continue
        if watcher.ino.fd in ready:
            watcher.drain()
        if listener in ready:
            last = time.monotonic()
            stop = _one_question(watcher, listener)


def _one_question(watcher: Watcher, listener: socket.socket) -> bool:
    """Answer one connection; True when it asked the watcher to stop."""
    try:
        conn, _ = listener.accept()
    except OSError:
        return False
    with conn:
        if not watch_client.ours(conn):
            return False  # another user: not answered
        conn.settimeout(2.0)
        request = b""
        try:
            while len(request) < 1 << 20:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                request += chunk
            if request == b"stop":
                conn.sendall(b"stopping")
                return True
            if request == b"status":
                watcher.drain()
                conn.sendall(f"{watcher.instance} {watcher.generation} {os.getpid()} "
                             f"{len(watcher.dirs)}".encode())
                return False
            conn.sendall(watcher.answer(request))
        except OSError:
            pass
    return False


def _exit(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def main(argv: list[str]) -> int:
    root, log_path = argv
    out = sys.stdout
    try:
        watcher = Watcher(root)
        watcher.watch_tree(b"", strict=True)
        name = watch_client.address(root)
        if name is None:
            raise WatchError(f"cannot stat {root}")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(name)  # abstract: nothing on disk, gone when this process is
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise WatchError("another watcher already watches it") from exc
            raise
        listener.listen(16)
    except (WatchError, OSError) as exc:
        out.write(f"error: {exc}\n")
        out.flush()
        return 1
    out.write(f"ready {len(watcher.dirs)} {os.getpid()}\n")
    out.flush()
    null = os.open(os.devnull, os.O_RDWR)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for fd, to in ((0, null), (1, null), (2, log)):
        os.dup2(to, fd)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _exit)
    try:
        serve(watcher, listener)
    except SystemExit:
        pass
    except BaseException:
        import traceback

        traceback.print_exc()  # into the log; replays fall back to git once the socket goes
        raise
    finally:
        listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
