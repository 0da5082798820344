"""The few git calls a branch migration makes, each failing as one clear MigrationError.

``subprocess`` is imported on first use: every command start imports this module (through the
stray-worktree check, which needs only :func:`common_dir`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_USAGE, MigrationError
from ..repo import worktree

if TYPE_CHECKING:
    import subprocess


def git(cwd: Path, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``git -C cwd argv``; with ``check``, a failure raises with git's own last line."""
    import subprocess

    try:
        out = subprocess.run(["git", "-C", str(cwd), *argv], capture_output=True, text=True,
                             check=False, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MigrationError(f"git {argv[0]}: {exc}", EXIT_USAGE) from None
    if check and out.returncode != 0:
        last = (out.stderr.strip() or out.stdout.strip() or f"exit {out.returncode}")
        raise MigrationError(f"git {' '.join(argv[:2])}: {last.splitlines()[-1]}", EXIT_USAGE)
    return out


def toplevel(path: Path) -> Path:
    top = worktree(path)
    if top is None:
        raise MigrationError(f"--branch needs a git repository: {path} is not in one",
                             EXIT_USAGE)
    return top


def head(top: Path) -> str:
    out = git(top, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    if out.returncode != 0:
        raise MigrationError("--branch starts from the current commit, and HEAD has none yet "
                             "(commit first)", EXIT_USAGE)
    return out.stdout.strip()


def current_branch(top: Path) -> str:
    """The checked-out branch's short name, '' on a detached HEAD."""
    out = git(top, "symbolic-ref", "-q", "--short", "HEAD", check=False)
    return out.stdout.strip() if out.returncode == 0 else ""


def branch_exists(top: Path, name: str) -> bool:
    return git(top, "show-ref", "--verify", "-q", f"refs/heads/{name}", check=False).returncode == 0


def valid_branch(top: Path, name: str) -> bool:
    return git(top, "check-ref-format", "--branch", name, check=False).returncode == 0


def show(top: Path, rev: str, rel: str) -> str | None:
    """The text of ``rel`` at ``rev``, None when it is not there."""
    out = git(top, "show", f"{rev}:{rel}", check=False)
    return out.stdout if out.returncode == 0 else None


def common_dir(start: Path) -> Path | None:
    """The repository's common git dir (the main ``.git``, also from a linked worktree), found
    by walking up from ``start`` without running git: every command asks this first."""
    for folder in [start, *start.parents]:
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():
            try:
                text = dot.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            if not text.startswith("gitdir:"):
                return None
            gitdir = (folder / text.partition(":")[2].strip()).resolve()
            try:
                common = (gitdir / "commondir").read_text(encoding="utf-8").strip()
            except OSError:
                return gitdir
            return Path(os.path.normpath(gitdir / common))
    return None
