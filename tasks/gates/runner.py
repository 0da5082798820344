"""Run one gate command: argv (no shell), its own process group, a timeout that kills the group.

Output goes to a log file rather than a pipe: a grandchild that keeps a pipe open would
otherwise hold ``communicate()`` until the timeout even after the command itself exited.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Outcome:
    argv: tuple[str, ...]
    returncode: int  # -9 style negative values when killed by a signal
    duration: float
    timed_out: bool
    log: Path  # stdout and stderr, interleaved

    def tail(self, lines: int = 15) -> list[str]:
        """The last non-empty lines of the output, for a summary."""
        try:
            text = self.log.read_text("utf-8", "replace")
        except OSError:
            return []
        return [ln for ln in text.splitlines() if ln.strip()][-lines:]

    def text(self) -> str:
        try:
            return self.log.read_text("utf-8", "replace")
        except OSError:
            return ""


def run(argv: Sequence[str], *, cwd: Path, timeout: float, log: Path,
        env: Mapping[str, str] | None = None) -> Outcome:
    """Run ``argv`` in a new session; on timeout SIGKILL the whole process group.

    The command never writes Python bytecode into the tree (``PYTHONDONTWRITEBYTECODE``): a
    ``.pyc`` the baseline run compiled in the same second as apply rewrote its source, at the
    same size, would be run instead of the new source (a gate green on code no test ran), and
    ``__pycache__`` files would be left in the user's tree after a rollback."""
    log.parent.mkdir(parents=True, exist_ok=True)
    child = {**(env if env is not None else os.environ), "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.monotonic()
    timed_out = False
    with open(log, "wb") as out:
        try:
            proc = subprocess.Popen(
                list(argv), cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
                env=child, preexec_fn=_die_with_parent,
            )
        except OSError as exc:
            out.write(f"cannot run {argv[0]}: {exc.strerror}\n".encode())
            return Outcome(tuple(argv), 127, time.monotonic() - start, False, log)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc.pid)
            code = proc.wait()
        except BaseException:
            # Ctrl-C reaches only our process group, not the gate's new session: take the
            # gate down with us rather than leave it running.
            _kill_group(proc.pid)
            _reap(proc.pid)
            raise
        # Whatever the command left behind in its group (daemonised helpers, stray workers)
        # must not outlive the gate.
        _kill_group(proc.pid)
    return Outcome(tuple(argv), code, time.monotonic() - start, timed_out, log)


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, be killed when phasegate dies, even by SIGKILL
    (a new session is out of reach of the terminal's signals, and of our own cleanup then)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass


def _reap(pid: int) -> None:
    """Wait for a killed command without ``Popen.wait``: an interrupt raised inside
    ``Popen.wait`` right after it took its internal lock leaves that lock held, and a second
    ``wait`` would then block forever (a Ctrl-C that hung phasegate, seen once in the tests)."""
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # reaped already


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
