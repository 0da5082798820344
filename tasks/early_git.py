"""Git questions a command asks as soon as it starts, answered when it needs them.

A cold ``detect`` of a large tree waits ~45 ms for ``git ls-files`` and a few more for ``git
rev-parse HEAD``, after ~70 ms of imports and reading phases.toml. Started first, git runs
while Python imports. Each answer goes to an anonymous memory file (``memfd``), so git never
blocks on a full pipe however long the listing; where there is no memfd (not Linux) nothing
is started early and the caller asks git itself.

An answer is taken once, by exact (root, question); whatever is not taken is reaped by
:func:`drop` when the command ends. An early answer describes the tree when the command
started: a caller that lets the tree change before it reads files, or that fingerprints the
tree to replay later, drops the early answers first (``commands/detect.py``). Like
:mod:`.detect.replay`, this module imports nothing heavier than ``os``.
"""

from __future__ import annotations

import os
import re
import time

# the questions, argv after ``git -C <root>`` (discover.py and report/history.py ask the same)
LS_FILES = ("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate",
            "--", ".")
HEAD = ("rev-parse", "--verify", "-q", "HEAD")

Question = tuple[str, tuple[str, ...]]  # (root, argv)
_started: dict[Question, tuple[int, int]] = {}  # -> (pid, memfd holding its stdout)


def start(root: str, args: tuple[str, ...]) -> None:
    """Ask git now (no-op without memfd, or when it cannot start: the caller asks later)."""
    if not hasattr(os, "memfd_create") or (root, args) in _started or _children_ignored():
        return
    out = -1
    null = -1
    try:
        out = os.memfd_create("phasegate-git", os.MFD_CLOEXEC)
        null = os.open(os.devnull, os.O_RDWR)
        pid = os.posix_spawnp("git", ["git", "-C", root, *args], os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, null, 0),
                                            (os.POSIX_SPAWN_DUP2, out, 1),
                                            (os.POSIX_SPAWN_DUP2, null, 2)])
    except OSError:
        if out >= 0:
            os.close(out)
        return
    finally:
        if null >= 0:
            os.close(null)
    _started[(root, args)] = (pid, out)


def ask(root: str, args: tuple[str, ...], timeout: float) -> tuple[int, bytes] | None:
    """(git's exit code, its stdout) for ``git -C root *args``: the answer asked early when
    there is one, else git asked now; None when git cannot run or timed out."""
    early = take(root, args, timeout)
    if early is not None:
        return early if early[0] != -1 else None
    import subprocess

    try:
        proc = subprocess.run(["git", "-C", root, *args], capture_output=True, check=False,
                              timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.returncode, proc.stdout


def take(root: str, args: tuple[str, ...], timeout: float) -> tuple[int, bytes] | None:
    """(git's exit code, its stdout) for a question started early, or None when none was.
    Waits at most ``timeout`` seconds (then git is killed and the code is -1)."""
    started = _started.pop((root, args), None)
    if started is None:
        return None
    pid, out = started
    try:
        try:
            code = _wait(pid, timeout)
        except ChildProcessError:  # reaped by someone else: no answer, the caller asks git
            return None
        if code != 0:
            return code, b""
        os.lseek(out, 0, os.SEEK_SET)
        parts = []
        while chunk := os.read(out, 1 << 20):
            parts.append(chunk)
        return 0, b"".join(parts)
    finally:
        os.close(out)


def _children_ignored() -> bool:
    """Whether SIGCHLD is ignored (some service managers start processes so): the kernel then
    reaps git itself, its exit code is lost and its pid may be reused, so nothing is asked
    early (subprocess copes with it, for the caller's own git)."""
    import signal

    return signal.getsignal(signal.SIGCHLD) is signal.SIG_IGN


def _wait(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    pause = 0.0002
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            _kill(pid)
            return -1
        time.sleep(pause)
        pause = min(pause * 2, 0.005)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def drop() -> None:
    """Forget every answer not taken (git is killed if still running, and reaped)."""
    while _started:
        _, (pid, out) = _started.popitem()
        _kill(pid)
        os.close(out)


def for_detect_command(argv: list[str]) -> None:
    """After the replay missed without a record to check (a cold run), or with the replay
    off: start the questions the detect command will ask, to run while it imports. Not after
    a record was compared: that run may fingerprint the tree, which must come before its
    listing (the detect command drops early answers when it does)."""
    from .detect import replay
    from .detect.replay_key import config_arg

    if replay.last_outcome != "miss: no record" and not replay.last_outcome.startswith("off"):
        return
    try:
        for_detect(os.path.realpath(os.path.join(os.getcwd(), config_arg(argv))))
    except (OSError, ValueError):
        pass  # the detect asks git itself


def for_detect(config_path: str) -> None:
    """The questions a detect of the project configured in ``config_path`` asks: its root's
    listing and HEAD. The root is read from phases.toml's ``[project] root`` by a pattern
    (the TOML parser is not imported yet); a guess the real config contradicts is dropped
    unused (the answers are taken by exact root)."""
    try:
        with open(config_path, "rb") as fh:
            text = fh.read(65536)
    except OSError:
        return
    value = project_root(text)
    if value is None:
        return
    root = os.path.realpath(os.path.join(os.path.dirname(config_path), value))
    start(root, LS_FILES)
    start(root, HEAD)


def project_root(text: bytes) -> str | None:
    """``[project] root`` as phases.toml spells it, when a plain pattern finds it (a guess:
    the real config is parsed later and decides)."""
    match = _PROJECT_ROOT.search(text)
    if match is None:
        return None
    return os.fsdecode(match.group(1) if match.group(1) is not None else match.group(2))


# ``root = "x"`` (or 'x') inside the [project] table, before the next table's header
_PROJECT_ROOT = re.compile(rb"""^\[project\][ \t]*(?:\#[^\n]*)?\r?\n
    (?:(?!\[)[^\n]*\n)*?
    [ \t]*root[ \t]*=[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)')[ \t]*(?:\#|\r?$)""",
    re.MULTILINE | re.VERBOSE)
