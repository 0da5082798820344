"""A tiny git repo for the journal tests: odd encodings and modes, one phase, gates = syntax.

Imported by the other test_journal*/test_crash*/test_faults* modules; it holds no tests itself.
The in-test plan (``make_plan``) stands in for tasks.plan where a test exercises the journal
alone: every ``app.legacy`` becomes ``app.modern``, byte for byte everywhere else.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from phasegate import config as config_mod
from phasegate.config import Config

PHASES = """\
[project]
root = "."
src = ["src"]
{extra}

[rules.old-helper]
kind = "move"
old = "app.legacy.helper"
new = "app.modern.helper"

[phases.p0]
files = ["src/app/**"]
rules = ["old-helper"]
gates = ["syntax"]

[phases.p1]
files = ["src/lib/**"]
rules = ["old-helper"]
gates = ["syntax"]
"""

# Every line-ending and encoding case: LF, CRLF, BOM, latin-1 with a coding cookie, no final
# newline; and one executable file (the mode must survive apply and rollback).
FILES: dict[str, bytes] = {
    "src/app/__init__.py": b"",
    "src/app/legacy.py": b"def helper():\n    return 1\n",
    "src/app/modern.py": b"def helper():\n    return 1\n",
    "src/app/lf.py": b"from app.legacy import helper\n\nhelper()\n",
    "src/app/crlf.py": b"from app.legacy import helper\r\n\r\nhelper()\r\n",
    "src/app/bom.py": b"\xef\xbb\xbffrom app.legacy import helper\n\n# caf\xc3\xa9\nhelper()\n",
    "src/app/latin1.py": b"# -*- coding: latin-1 -*-\nfrom app.legacy import helper\n"
                         b"NAME = '\xe9t\xe9'\nhelper()\n",
    "src/app/nonl.py": b"from app.legacy import helper\nhelper()",
    "src/app/tool.py": b"#!/usr/bin/env python\nfrom app.legacy import helper\nhelper()\n",
    "src/app/clean.py": b"import os\n",
    "src/lib/__init__.py": b"",
    "src/lib/use.py": b"from app.legacy import helper\nhelper()\n",
}
EXECUTABLE = "src/app/tool.py"


@dataclass(frozen=True)
class Change:
    path: str
    before: bytes
    after: bytes


def git(root: Path, *argv: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", "-C", str(root), *argv], capture_output=True, text=True,
                          check=True, env=env).stdout


def make_repo(tmp_path: Path, *, extra: str = "", use_git: bool = True) -> Config:
    root = tmp_path / "repo"
    for rel, data in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / EXECUTABLE).chmod(0o755)
    (root / "phases.toml").write_text(PHASES.format(extra=extra))
    if use_git:
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "init")
    return config_mod.load(root / "phases.toml")[0]


def make_plan(config: Config, phase: str = "p0") -> list[Change]:
    """Every file of the phase that mentions app.legacy, rewritten to app.modern."""
    prefix = {"p0": "src/app/", "p1": "src/lib/"}[phase]
    out = []
    for rel in sorted(FILES):
        if rel.startswith(prefix) and rel != "src/app/legacy.py":
            before = (config.root / rel).read_bytes()
            after = before.replace(b"app.legacy", b"app.modern")
            if after != before:
                out.append(Change(rel, before, after))
    return out


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mode of every file under root except .git and phases.toml (state writes)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if rel == "phases.toml":
                continue
            st = os.lstat(path)
            data = os.readlink(path).encode() if stat.S_ISLNK(st.st_mode) else path.read_bytes()
            out[rel] = (hashlib.sha256(data).hexdigest(), stat.S_IMODE(st.st_mode))
    return out


def post_snapshot(before: dict[str, tuple[str, int]], root: Path,
                  changes: list[Change]) -> dict[str, tuple[str, int]]:
    """What the snapshot must be once ``changes`` are applied."""
    out = dict(before)
    for change in changes:
        out[change.path] = (hashlib.sha256(change.after).hexdigest(), before[change.path][1])
    return out


# a file that parses (ast) but does not compile: the syntax gate's failure case
RETURN_OUTSIDE = b"from app.legacy import helper\nif False:\n    return None\n"
