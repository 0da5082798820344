"""New imports where the project's sorter puts them: when a file's imports were sorted before
the rewrite (ruff's ``I`` rules with the project's own settings, found from the file's path;
ruff's defaults when the project has none), the rewritten file's import blocks are sorted the
same way. Lines were sorted before, so only the lines the rewrite touched move; a file that was
not sorted keeps every new import right after the statement it replaces.
"""

from __future__ import annotations

import re
import subprocess
import sys

_IMPORT_LINE = re.compile(rb"^[ \t]*(?:from[ \t]+\S+[ \t]+)?import[ \t].*$", re.M)


def keep_sorted(before: bytes, after: bytes, rel: str, root: str) -> bytes:
    """``after`` with its imports sorted when ``before``'s were (and the rewrite changed an
    import line); else ``after`` as it is."""
    if _IMPORT_LINE.findall(before) == _IMPORT_LINE.findall(after):
        return after
    if _ruff_i(before, rel, root, fix=False) != b"":
        return after
    fixed = _ruff_i(after, rel, root, fix=True)
    return fixed if fixed else after


def _ruff_i(data: bytes, rel: str, root: str, *, fix: bool) -> bytes | None:
    """With ``fix``: the sorted source (None when ruff failed). Without: b'' when the imports
    are sorted, None otherwise."""
    argv = [sys.executable, "-m", "ruff", "check", "--select", "I", "--no-cache",
            "--stdin-filename", rel, *(["--fix", "--exit-zero"] if fix else []), "-"]
    try:
        proc = subprocess.run(argv, input=data, capture_output=True, cwd=root, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout if fix else b""
