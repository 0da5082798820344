"""Watch the project root in the background, so a repeated ``detect`` replays without git.

``phasegate watch`` starts a watcher for the project root (Linux inotify; see
tasks/detect/watcher.py) and returns once every directory is watched; ``--status`` says whether
one runs (exit 0) or not (exit 1); ``--stop`` stops it. While it runs, a ``detect`` whose
inputs did not change asks it instead of listing the tree with git. Nothing else depends on it:
without a watcher (or when it does not answer) detect checks the tree with git as before.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from .. import config as config_mod
from ..detect import replay_git, replay_record, watch_client
from ..detect.watcher import RACED
from ..errors import EXIT_FOUND, EXIT_OK, EXIT_USAGE, MigrationError

ORDER = 15
START_TIMEOUT_S = 300.0  # a very large tree takes a while to watch; never wait forever
ANSWER_S = 2.0  # this command waits longer for an answer than a replay does


def add_arguments(parser: argparse.ArgumentParser) -> None:
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--status", action="store_true",
                        help="say whether a watcher runs for this project (exit 1 when not)")
    action.add_argument("--stop", action="store_true", help="stop this project's watcher")


def run(args: argparse.Namespace) -> int:
    config = config_mod.read(args.config)
    root = str(config.root)
    git_dir = replay_git.git_dir_of(root)
    if git_dir is None:
        raise MigrationError(f"{root}: not in a git work tree with a .git directory (a replay, "
                             "which the watcher serves, needs one)", EXIT_USAGE)
    status = _status(root)
    hung = None if status else watch_client.listener_pid(root)  # listens, does not answer
    if args.status:
        if hung:
            print(f"a watcher of {root} (pid {hung}) does not answer; stop it with: "
                  "phasegate watch --stop")
        else:
            print(_describe(root, status) if status else f"not watching {root}")
        return EXIT_OK if status else EXIT_FOUND
    if args.stop:
        pid = int(status[2]) if status else hung
        if pid is None:
            print(f"not watching {root}")
            return EXIT_OK
        _stop(root, pid)
        print(f"stopped watching {root} (pid {pid})")
        return EXIT_OK
    if hung:
        raise MigrationError(f"a watcher of {root} (pid {hung}) does not answer: stop it with "
                             "phasegate watch --stop", EXIT_USAGE)
    if status is None:
        try:
            pid_text, dirs = _start(root, os.path.join(git_dir, "phasegate", "watch.log"))
        except _Raced:
            status = _status(root)  # another `phasegate watch` started one meanwhile
            if status is None:
                raise MigrationError(f"cannot watch {root}: another watcher holds its socket "
                                     "but does not answer", EXIT_USAGE) from None
    if status is not None:
        print(f"already {_describe(root, status)}")
        return EXIT_OK
    replay_record.forget_records(git_dir)  # after the watcher is ready: see forget_records
    print(f"watching {root}: {dirs} directories (pid {pid_text}); stop with: "
          "phasegate watch --stop")
    return EXIT_OK


class _Raced(Exception):
    """The watcher could not listen: another one did first."""


def _status(root: str) -> tuple[str, ...] | None:
    """(instance, changes seen, pid, directories) of the watcher of ``root``, or None."""
    reply = watch_client.exchange(root, b"status", timeout=ANSWER_S)
    parts = tuple((reply or b"").decode("ascii", "replace").split())
    return parts if len(parts) == 4 else None


def _describe(root: str, status: tuple[str, ...]) -> str:
    _instance, seen, pid, dirs = status
    return f"watching {root}: {dirs} directories, {seen} change(s) seen (pid {pid})"


def _stop(root: str, pid: int) -> None:
    """Ask the watcher to stop; one that has not within :data:`ANSWER_S` gets SIGTERM, then
    SIGKILL (it is this user's process listening on the root's address)."""
    watch_client.exchange(root, b"stop", timeout=ANSWER_S)
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
        deadline = time.monotonic() + ANSWER_S * 2
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _gone(pid):
            return


def _gone(pid: int) -> bool:
    """The process has exited (a zombie not yet reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rpartition(b")")[2].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def _start(root: str, log: str) -> tuple[str, str]:
    """Start a detached watcher; (pid, directories watched) once it is ready."""
    os.makedirs(os.path.dirname(log), exist_ok=True)
    package = __name__.rsplit(".", 2)[0]
    proc = subprocess.Popen([sys.executable, "-m", f"{package}.detect.watcher", root, log],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True, cwd=root)
    assert proc.stdout is not None
    line = _first_line(proc)
    proc.stdout.close()
    parts = line.split()
    if len(parts) == 3 and parts[0] == "ready":
        return parts[2], parts[1]
    proc.wait()
    if RACED in line:
        raise _Raced
    why = line.removeprefix("error: ").strip() or f"it exited with code {proc.returncode}"
    raise MigrationError(f"cannot watch {root}: {why}", EXIT_USAGE)


def _first_line(proc: subprocess.Popen[bytes]) -> str:
    import selectors

    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(START_TIMEOUT_S):
            proc.kill()
            proc.wait()
            return f"error: not ready after {START_TIMEOUT_S:.0f} s"
    return proc.stdout.readline().decode("utf-8", "replace")
