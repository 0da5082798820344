"""A real git repository with a phases.toml, for the replay tests (tests/tasks/detect/): the
project, a run's outcome, and the table of changes every replay must notice."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from phasegate.cli import main
from phasegate.detect import replay

PHASES = """\
[project]
root = "."

[rules.moved]
kind = "move"
old = "pkg.old.Thing"
new = "pkg.new.Thing"

[rules.legacy]
kind = "module"
old = "pkg.legacy"
new = "pkg.modern"

[phases.p0]
files = ["pkg/**"]
rules = ["moved", "legacy"]
"""

FILES = {
    "pkg/__init__.py": "",
    "pkg/old.py": "class Thing: ...\n",
    "pkg/legacy.py": "X = 1\n",
    "pkg/a.py": "from pkg.old import Thing\n",
    "pkg/b.py": "import pkg.legacy\n",
    "pkg/ignored.py": "import pkg.legacy\n",
    ".gitignore": "pkg/ignored.py\n",
}


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c",
                           "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
                          capture_output=True, text=True, check=True)
    return proc.stdout


@dataclass
class Run:
    code: int
    out: str
    err: str
    outcome: str


@dataclass
class Project:
    root: Path
    capsys: pytest.CaptureFixture[str]

    @property
    def config(self) -> Path:
        return self.root / "phases.toml"

    def detect(self, *extra: str) -> Run:
        self.capsys.readouterr()
        code = main(["detect", "--config", str(self.config), *extra])
        out, err = self.capsys.readouterr()
        return Run(code, out, err, replay.last_outcome)

    def fresh(self, *extra: str, monkeypatch: pytest.MonkeyPatch) -> Run:
        """What a normal run prints now (replay off, per-file cache off)."""
        with monkeypatch.context() as m:
            m.setenv(replay.DISABLE_ENV, "1")
            return self.detect(*extra, "--no-cache")


def make_project(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> Project:
    """The ``project`` fixture of tests/tasks/detect/conftest.py."""
    # a known environment: CI runs this suite with CI=true, which the "env-ci" row sets
    for name in (replay.DISABLE_ENV, *replay.GIT_LOCATION_ENV, "CI", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    # files written a moment ago are "racy" and never recorded; the racy tests turn it back on
    monkeypatch.setattr(replay, "RACY_NS", 0)
    root = tmp_path / "repo"
    for rel, body in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body)
    (root / "phases.toml").write_text(PHASES)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "init")
    return Project(root, capsys)


def primed(p: Project, *extra: str) -> Run:
    """Cold run (not recorded: it parsed files), warm run (recorded), then a replay."""
    cold = p.detect(*extra)
    assert cold.outcome.startswith("miss")
    warm = p.detect(*extra)
    assert warm.outcome == "miss: no record"
    hit = p.detect(*extra)
    assert hit.outcome == "hit"
    assert (hit.code, hit.out, hit.err) == (warm.code, warm.out, warm.err)
    return hit


def write_same_size(p: Project) -> None:
    """Same size, same mtime: only ctime (and git's content check) can tell."""
    path = p.root / "pkg/a.py"
    st = path.stat()
    path.write_text("from pkg.olx import Thing\n")  # no longer a violation
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def add_untracked(p: Project) -> None:
    (p.root / "pkg/c.py").write_text("from pkg.old import Thing\n")


def delete_tracked(p: Project) -> None:
    (p.root / "pkg/b.py").unlink()


def stage_edit(p: Project) -> None:
    (p.root / "pkg/b.py").write_text("import pkg.legacy\nimport pkg.legacy as again\n")
    git(p.root, "add", "pkg/b.py")


def add_ignored(p: Project) -> None:
    git(p.root, "add", "-f", "pkg/ignored.py")


def commit_empty(p: Project) -> None:
    git(p.root, "commit", "-q", "--allow-empty", "-m", "moves HEAD only")


def unignore(p: Project) -> None:
    (p.root / ".gitignore").write_text("# nothing ignored\n")


def edit_config(p: Project) -> None:
    p.config.write_text(PHASES.replace('rules = ["moved", "legacy"]', 'rules = ["moved"]'))


def pending_journal(p: Project) -> None:
    txn = p.root / ".git/phasegate/journal/0001-p0"
    txn.mkdir(parents=True)
    (txn / "log.jsonl").write_bytes(b"")  # 'new': recovery discards it, and says so


def add_fifo(p: Project) -> None:
    """git never lists a FIFO; detect reports one named ``*.py`` as not a regular file."""
    os.mkfifo(p.root / "pkg/fifo.py")


# (id, change, what the next run's outcome must start with)
CHANGES: list[tuple[str, Callable[[Project], None], str]] = [
    ("edit-tracked-same-size-same-mtime", write_same_size, "miss: files changed"),
    ("add-untracked", add_untracked, "miss: files changed"),
    ("delete-tracked", delete_tracked, "miss: files changed"),
    ("git-add-edit", stage_edit, "miss"),
    ("git-add-ignored", add_ignored, "miss: index"),
    ("commit-moves-head", commit_empty, "miss: index"),
    ("gitignore-edited", unignore, "miss: files changed"),
    ("config-edited", edit_config, "miss: config changed"),
    ("pending-journal", pending_journal, "miss: index, HEAD or journal changed"),
    ("fifo-named-py", add_fifo, "miss: files changed"),
]

