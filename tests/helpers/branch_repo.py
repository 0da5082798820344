"""Real git repositories for the split and branch tests; it holds no tests itself.

``example_repo`` copies the bundled example (and its CODEOWNERS) with the top-level phases.toml;
``shard_repo`` is a tiny repo with three phases a, b, c whose unit tests can be told to fail
(b's, after the migration) or to hold still (a's, after the migration: for the SIGKILL test).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from tests.helpers.journal_repo import git

REPO = Path(__file__).resolve().parents[2]
IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t"}
HOLD_ENV = "BRANCH_TEST_HOLD"  # a's unit test writes its pid there and sleeps (after migration)

SHARD_PHASES = """\
# three shards of one migration
[project]
root = "."
src = ["src"]

[rules.old-helper]
kind = "move"
old = "app.legacy.helper"
new = "app.modern.helper"
message = "helper moved to app.modern"

[phases.a]
files = ["src/a/**"]
rules = ["old-helper"]
gates = ["syntax", "unit"]

[phases.b]
files = ["src/b/**"]
rules = ["old-helper"]
gates = ["syntax", "unit"]

[phases.c]
files = ["src/c/**"]
rules = ["old-helper"]
gates = ["syntax", "unit"]

[gates.unit]
paths = ["tests"]
workers = 0
timeout = 120
"""
_MOD = "from app.legacy import helper\n\n\ndef value():\n    return helper()\n"
_TEST = "from {m}.mod import value\n\n\ndef test_{m}():\n    assert value() in (1, 2)\n"
SHARD_FILES = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
    ".gitignore": "__pycache__/\n.pytest_cache/\n",
    "src/app/__init__.py": "",
    "src/app/legacy.py": "def helper():\n    return 1\n",
    "src/app/modern.py": "def helper():\n    return 2\n",
    **{f"src/{m}/__init__.py": "" for m in "abc"},
    **{f"src/{m}/mod.py": _MOD for m in "abc"},
    "tests/test_a.py": (
        "import os\nimport time\nfrom pathlib import Path\n\nimport a.mod\n\n\n"
        "def test_a():\n"
        "    hold = os.environ.get('" + HOLD_ENV + "')\n"
        "    if hold and 'app.modern' in Path(a.mod.__file__).read_text():\n"
        "        Path(hold).write_text(str(os.getpid()))\n"
        "        time.sleep(120)\n"
        "    assert a.mod.value() in (1, 2)\n"),
    # b's callers rely on the old helper's value: migrating b breaks this test
    "tests/test_b.py": "from b.mod import value\n\n\ndef test_b():\n    assert value() == 1\n",
    "tests/test_c.py": _TEST.format(m="c"),
}


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def example_repo(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    shutil.copytree(REPO / "examples", root / "examples",
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    shutil.copy(REPO / "phases.toml", root / "phases.toml")
    (root / ".gitignore").write_text("__pycache__/\n.pytest_cache/\n")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "example")
    return root


def shard_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for rel, text in SHARD_FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "phases.toml").write_text(SHARD_PHASES)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "three shards")
    return root


def tree_bytes(root: Path) -> dict[str, str]:
    """sha256 of every file under root but .git (phases.toml included): the user's tree."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            path = Path(dirpath, name)
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def repo_state(root: Path) -> tuple[str, str, str, str]:
    """(HEAD's commit, the branch checked out, the index's hash, git status)."""
    index = hashlib.sha256((root / ".git" / "index").read_bytes()).hexdigest()
    return (git(root, "rev-parse", "HEAD").strip(), git(root, "symbolic-ref", "HEAD").strip(),
            index, git(root, "status", "--porcelain", "--untracked-files=all"))


def worktrees(root: Path) -> list[str]:
    """The worktrees git knows (the main one included)."""
    out = git(root, "worktree", "list", "--porcelain")
    return [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("worktree ")]


def branches(root: Path) -> list[str]:
    return git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads/").split()
