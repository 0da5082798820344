"""Temporary git worktrees for ``migrate --branch``, and the cleanup of those a crash left.

Each lives at ``<git-common-dir>/phasegate/worktrees/<phase>-<hex>/`` (inside the git dir, so
never in the user's working tree or ``git status``), beside ``<name>.lock`` (an flock its run
holds for as long as the run or its child lives: the kernel drops it on any death, SIGKILL too)
and ``<name>.json`` (which phases.toml the worktree uses). The lock file is flocked before it is
given its name, so a visible lock is always held by its owner until that owner dies.

:func:`clean_stray` runs first in every command: a worktree whose lock nobody holds was left by
a killed run; its journal is recovered (the worktree's own phasegate journal, under the
worktree's git dir), then the worktree is removed and git's records of it pruned.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from types import TracebackType

from .git import common_dir, git

WORKTREES = ("phasegate", "worktrees")


def worktrees_dir(common: Path) -> Path:
    return common.joinpath(*WORKTREES)


class Lease:
    """A detached worktree of ``base`` for one phase; removed on exit, whatever happened."""

    def __init__(self, common: Path, phase: str, base: str, config_rel: str) -> None:
        self.home = worktrees_dir(common)
        self.name = f"{phase}-{os.urandom(3).hex()}"
        self.dir = self.home / self.name
        self.common, self.base, self.config_rel = common, base, config_rel
        self.fd = -1

    def __enter__(self) -> Lease:
        self.home.mkdir(parents=True, exist_ok=True)
        tmp = self.home / f".{self.name}.lock.tmp"
        self.fd = _locked_file(tmp)
        os.write(self.fd, f"{os.getpid()}\n".encode())
        os.replace(tmp, self.home / f"{self.name}.lock")
        meta = {"config": self.config_rel, "base": self.base, "pid": os.getpid()}
        (self.home / f"{self.name}.json").write_text(json.dumps(meta), encoding="utf-8")
        git(self.common, "worktree", "add", "--detach", "-q", str(self.dir), self.base)
        return self

    @property
    def config_path(self) -> Path:
        return self.dir / self.config_rel

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            remove(self.common, self.home, self.name)
        finally:
            os.close(self.fd)


def remove(common: Path, home: Path, name: str) -> None:
    """Remove the worktree ``name`` and its lock and notes; git forgets it."""
    folder = home / name
    if folder.exists():
        out = git(common, "worktree", "remove", "--force", "--force", str(folder), check=False)
        if out.returncode != 0:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    git(common, "worktree", "prune", check=False)
    for suffix in (".json", ".lock"):
        (home / f"{name}{suffix}").unlink(missing_ok=True)


def clean_stray(config_path: str | None) -> list[str]:
    """Recover and remove every phasegate worktree whose run is gone; lines to print."""
    start = Path(config_path or "phases.toml").resolve().parent
    common = common_dir(start)
    if common is None:
        return []
    home = worktrees_dir(common)
    try:
        listed = os.listdir(home)
    except OSError:
        return []
    names = {n[:-5] if n.endswith(".lock") else n for n in listed
             if not n.startswith(".") and not n.endswith(".json")}
    for tmp in [n for n in listed if n.startswith(".") and n.endswith(".lock.tmp")]:
        _drop_unheld(home / tmp)  # a run killed before its lock got its name
    lines: list[str] = []
    for name in sorted(names):
        lines += _clean_one(common, home, name)
    return lines


def _locked_file(path: Path) -> int:
    """``path`` created (or opened) and locked, as a file descriptor. Another command's
    ``clean_stray`` may take an unheld ``.lock.tmp`` for a killed run's and remove it between
    our open and our lock: then the lock is on a removed file, and it is made again."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def _drop_unheld(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        path.unlink(missing_ok=True)
    except BlockingIOError:
        pass  # its run is alive and about to name it
    finally:
        os.close(fd)


def _clean_one(common: Path, home: Path, name: str) -> list[str]:
    lock = home / f"{name}.lock"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return []
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return []  # its run (or its child) is alive
        if not lock.exists() or os.stat(lock).st_ino != os.fstat(fd).st_ino:
            return []  # another command cleaned it meanwhile
        lines = _recover(home, name)
        remove(common, home, name)
        return [*lines, f"removed the worktree {home / name} left by an interrupted "
                        "`migrate --branch` (no branch was created for it)"]
    finally:
        os.close(fd)


def _recover(home: Path, name: str) -> list[str]:
    """Roll back what the killed run had applied in the worktree, through its own journal."""
    folder = home / name
    try:
        meta = json.loads((home / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    config_file = folder / str(meta.get("config", "phases.toml"))
    if not (folder / ".git").is_file() or not config_file.is_file():
        return []
    from .. import config as config_mod
    from ..errors import MigrationError
    from ..journal import recover

    try:
        config = config_mod.read(config_file)
        return [f"worktree {name}: {line}" for line in recover(config)]
    except (MigrationError, OSError) as exc:
        why = exc.message if isinstance(exc, MigrationError) else f"{exc.filename or ''}: " \
            f"{exc.strerror or exc}"
        return [f"worktree {name}: its journal could not be recovered ({why}); the "
                "worktree is removed all the same (only it was touched)"]
