"""What git says about the repository around a path: its working tree and its git dir.

Asked once per process and directory. ``None`` when the path is in no git working tree (or
git is missing): callers then fall back to the directory they were given.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

_ASKED: dict[tuple[Path, str], Path | None] = {}


def _rev_parse(where: Path, flag: str) -> Path | None:
    key = (where, flag)
    if key not in _ASKED:
        try:
            out = subprocess.run(["git", "-C", str(where), "rev-parse", flag],
                                 capture_output=True, text=True, check=False, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            out = None
        text = out.stdout.strip() if out is not None and out.returncode == 0 else ""
        _ASKED[key] = Path(text).resolve() if text else None
    return _ASKED[key]


def worktree(where: Path) -> Path | None:
    """The top of the git working tree holding ``where`` (a directory)."""
    return _rev_parse(where, "--show-toplevel")


def git_dir(where: Path) -> Path | None:
    """The git dir of the working tree holding ``where``: one per repository checkout."""
    return _rev_parse(where, "--absolute-git-dir")


def in_worktree(path: Path) -> bool:
    """Inside a git working tree (its git dir excepted), where ``git status`` would show it."""
    resolved = path.resolve()
    probe = resolved
    while not probe.is_dir() and probe != probe.parent:
        probe = probe.parent  # the path may not exist yet: ask git about its parent
    top = worktree(probe)
    if top is None or not resolved.is_relative_to(top):
        return False
    gdir = git_dir(top)
    return gdir is None or not resolved.is_relative_to(gdir)
