"""Where phasegate keeps its own files (journal, records, caches): one definition.

Under the git dir (``<git-dir>/phasegate``), else ``project.state_dir``, else a per-user cache
dir keyed by the root: never inside the working tree, so nothing phasegate writes shows up in
``git status`` or in the files it scans.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from .config import Config

_FOUND: dict[tuple[Path, Path | None], Path] = {}


def state_dir(config: Config) -> Path:
    """The state directory for ``config``, asked of git once per process and root."""
    key = (config.root, config.state_dir)
    if key not in _FOUND:
        _FOUND[key] = _find(config)
    return _FOUND[key]


def journal_dir(config: Config) -> Path:
    """Where the journal keeps its transactions (tasks/journal)."""
    return state_dir(config) / "journal"


def _find(config: Config) -> Path:
    if config.state_dir is not None:
        return config.state_dir
    try:
        out = subprocess.run(["git", "-C", str(config.root), "rev-parse", "--absolute-git-dir"],
                             capture_output=True, text=True, check=False, timeout=30)
        if out.returncode == 0 and out.stdout.strip():
            return Path(out.stdout.strip()) / "phasegate"
    except (OSError, subprocess.TimeoutExpired):
        pass
    digest = hashlib.sha256(str(config.root).encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "phasegate" / digest
