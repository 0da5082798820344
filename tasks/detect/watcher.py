"""The watcher behind ``phasegate watch``: a background process that follows every change under a
project root with Linux inotify, so a replayed ``detect`` (:mod:`.replay`) can ask it whether
anything changed instead of having git lstat every file.

How it stays right:

- **Every directory under the root is watched** (not ``<root>/.git``: the replay checks the
  index, HEAD and journal itself), before the watcher says it is ready, each through an
  ``O_PATH`` descriptor of the root, so renaming a directory above it changes nothing. A
  directory created, moved in, or whose mode changed is watched as soon as its event is read,
  and only then counted as a change, so a token handed out after that covers the files made in
  it before the watch existed (the run that gets the token lists them itself). A directory that
  exists but cannot be watched makes every answer "changed" until it can.
- **inotify queues an event inside the system call that changed the file**, so when a question
  arrives the watcher first reads every queued event: each change completed before the
  question was asked is counted in the answer.
- **Lost events mean watching anew**: when the event queue overflowed, or the mounts at or
  under the root differ from the last question's (a mount over a watched directory hides it
  from its watch), every directory is walked and watched again before the change is counted.
- **A token is (instance, count of changes)**. Each change is kept with its path relative to
  the root, so a question may leave out the paths the asking run writes itself (its
  ``--output`` report). A change with no reliable path (the queue overflowed, a directory made,
  moved or removed, an event of a watch already dropped) counts against every token handed out
  before it; when more changes happened since a token than the watcher keeps, the answer is
  "changed".
- ``*.pyc`` files are not counted (Python writes them as it imports; detect never reads them).

Limits: local file systems only (inotify does not see a change made on another machine over
NFS); a write through a shared memory map is not an event; nor is an edit made through a hard
link outside the tree (a run that saw a file with more than one link records no token, so it is
replayed through git, but a link made after the record is not seen). The watcher stops when its
root is removed or moved, on ``phasegate watch --stop``, on SIGTERM, and after :data:`IDLE_S`
without a question. It listens on an abstract Unix socket (:func:`.watch_client.address`) and
answers only its own user. Run as ``python -m phasegate.detect.watcher ROOT LOG``; it prints
one line (``ready <directories> <pid>`` or ``error: <why>``), then writes only to LOG (a
traceback, should it fail: its socket goes with it and replays check the tree with git again).

Why this module is long: it is the whole watcher process, whose parts share one state (the
watches, the changes kept and what is unwatched): the model, its event rules, and the loop that
answers; the inotify and mount primitives are in :mod:`.inotify`.
"""

from __future__ import annotations

import collections
import errno
import os
import select
import signal
import socket
import sys
import time
import uuid

from . import inotify, watch_client
from .inotify import (
    IN_CREATE,
    IN_DELETE,
    IN_DELETE_SELF,
    IN_IGNORED,
    IN_ISDIR,
    IN_MOVE_SELF,
    IN_MOVED_FROM,
    IN_MOVED_TO,
    IN_Q_OVERFLOW,
    IN_UNMOUNT,
    Inotify,
    WatchError,
)

KEPT = 8192  # changes remembered with their paths; a token older than these is "changed"
IDLE_S = 12 * 3600  # no question for this long: the watcher exits
NOT_COUNTED = (b".pyc",)
RACED = "another watcher already watches it"


class Watcher:
    def __init__(self, root: str) -> None:
        # every path is taken through an O_PATH descriptor of the root, so renaming a directory
        # above it (or the root itself) changes nothing the watcher does
        self.ino = Inotify()  # first: elsewhere than on Linux, this is the clear error
        self.root_fd = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        self.base = f"/proc/self/fd/{self.root_fd}".encode()
        if not os.path.isdir(self.base):
            self.close()
            raise WatchError("the watcher needs /proc")
        self.instance = uuid.uuid4().hex[:16]
        self.dirs: dict[int, bytes] = {}  # wd -> directory relative to the root (b"" for it)
        self.unwatched: set[bytes] = set()  # directories there that could not be watched
        self.generation = 0
        self.changes: collections.deque[tuple[int, bytes | None]] = collections.deque(
            maxlen=KEPT)
        self.gone = False  # the root itself was removed or moved
        self.mounts = self._mounts()

    def close(self) -> None:
        os.close(self.ino.fd)
        os.close(self.root_fd)

    def _full(self, rel: bytes) -> bytes:
        # "/." for the root: the descriptor's link is a symlink, which IN_DONT_FOLLOW refuses
        return os.path.join(self.base, rel or b".")

    # -- watches --------------------------------------------------------------------------
    def watch_tree(self, rel: bytes, *, strict: bool) -> None:
        """Watch ``rel`` and every directory under it (not following symlinks). A directory
        that exists but cannot be watched is kept in ``unwatched``: while any is, every
        question is answered "changed" (it is tried again on its next event)."""
        todo = [rel]
        while todo:
            here = todo.pop()
            wd = self.ino.add(self._full(here))
            if wd < 0:
                if -wd in (errno.ENOENT, errno.ENOTDIR) and here:
                    continue  # gone already (its removal is an event of its own)
                if strict or -wd == errno.ENOSPC:
                    hint = (" (raise fs.inotify.max_user_watches)" if -wd == errno.ENOSPC
                            else "")
                    where = os.path.join(os.fsencode(self.path()), here)
                    raise WatchError(f"cannot watch {os.fsdecode(where)}: "
                                     f"{os.strerror(-wd)}{hint}")
                self.unwatched.add(here)
                continue
            self.dirs[wd] = here
            self.unwatched.discard(here)
            try:
                with os.scandir(self._full(here)) as entries:
                    for entry in entries:
                        if entry.is_dir(follow_symlinks=False) and not (
                                not here and entry.name == b".git"):
                            todo.append(os.path.join(here, entry.name) if here else entry.name)
            except OSError:
                if strict and not here:
                    raise
                self.unwatched.add(here)  # its subdirectories are not known

    def path(self) -> str:
        """Where the root is now."""
        return os.fsdecode(os.readlink(self.base))

    def _mounts(self) -> list[bytes]:
        return inotify.mount_points(os.fsencode(self.path()))

    # -- events ---------------------------------------------------------------------------
    def drain(self) -> None:
        for wd, mask, name in self.ino.read():
            self._event(wd, mask, name)

    def rewatch(self) -> None:
        """Events may have been lost (the queue overflowed, a mount came or went): watch every
        directory again (an existing watch is kept, a new directory gets one), then count."""
        self.unwatched.clear()
        self.watch_tree(b"", strict=False)
        self._count(None)

    def _count(self, path: bytes | None) -> None:
        self.generation += 1
        self.changes.append((self.generation, path))

    def _event(self, wd: int, mask: int, name: bytes) -> None:
        if mask & IN_Q_OVERFLOW:
            self.rewatch()
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
            if mask & (IN_DELETE | IN_MOVED_FROM):
                self.unwatched = {d for d in self.unwatched
                                  if d != rel and not d.startswith(rel + b"/")}
            elif mask & (IN_CREATE | IN_MOVED_TO) or any(
                    d == rel or d.startswith(rel + b"/") for d in self.unwatched):
                self.watch_tree(rel, strict=False)  # watched before it counts: see the module
            self._count(None)
            return
        if name.endswith(NOT_COUNTED):
            return
        self._count(rel)

    # -- questions ------------------------------------------------------------------------
    def answer(self, request: bytes) -> bytes:
        self.drain()
        mounts = self._mounts()
        if mounts != self.mounts:
            self.mounts = mounts
            self.rewatch()
        head, *ignored = request.split(b"\0")
        parts = head.split()
        same = False
        if len(parts) == 2 and parts[0].decode("ascii", "replace") == self.instance \
                and parts[1].isdigit():
            same = self._unchanged_since(int(parts[1]), set(ignored))
        verdict = b"same" if same else b"changed"
        return f"{self.instance} {self.generation} ".encode() + verdict

    def _unchanged_since(self, since: int, ignored: set[bytes]) -> bool:
        if self.unwatched or since > self.generation:
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
                raise WatchError(RACED) from exc
            raise
        listener.listen(16)
    except (WatchError, OSError) as exc:
        out.write(f"error: {exc}\n")
        out.flush()
        return 1
    out.write(f"ready {len(watcher.dirs)} {os.getpid()}\n")
    out.flush()
    null = os.open(os.devnull, os.O_RDWR)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)  # kept across runs
    for fd, to in ((0, null), (1, null), (2, log)):
        os.dup2(to, fd)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _exit)
    try:
        serve(watcher, listener)
    except SystemExit:
        pass
    except WatchError as exc:  # the watch limit reached while running: it cannot go on
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} watcher {os.getpid()} stopped: {exc}",
              file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()  # into the log; replays fall back to git once the socket goes
        raise
    finally:
        listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
