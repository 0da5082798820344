"""Discovery: which files detect and migrate read, in a git work tree and without one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from phasegate.discover import discover, module_name

TREE = {
    "pkg/a.py": "x = 1\n",
    "pkg/sub/b.py": "y = 2\n",
    "pkg/notes.txt": "not python\n",
    "pkg/migrations/0001.py": "m = 1\n",
    ".venv/lib/site.py": "v = 1\n",
    "pkg/node_modules/dep/x.py": "n = 1\n",
    "pkg/__pycache__/a.py": "c = 1\n",
    "build/out.py": "ignored by .gitignore\n",
    "pkg/sub/.gitignore": "local_*.py\n",
    "pkg/sub/local_tmp.py": "ignored by a nested .gitignore\n",
    ".gitignore": "build/\n",
}
EXPECTED = ["pkg/a.py", "pkg/migrations/0001.py", "pkg/sub/b.py"]


def make_tree(root: Path, *, git: bool) -> Path:
    for rel, body in TREE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.mark.parametrize("git", [True, False], ids=["git-ls-files", "plain-walk"])
@pytest.mark.parametrize(("exclude", "expected"), [
    ((), EXPECTED),
    (("**/migrations/**",), ["pkg/a.py", "pkg/sub/b.py"]),
    (("pkg/sub/",), ["pkg/a.py", "pkg/migrations/0001.py"]),
    (("*.py",), []),
], ids=["none", "migrations", "directory", "everything"])
def test_files_found(tmp_path: Path, git: bool, exclude: tuple[str, ...],
                     expected: list[str]) -> None:
    root = make_tree(tmp_path / "repo", git=git)
    found = discover(root, exclude)
    assert found.files == expected
    assert set(found.stats) == set(expected)
    assert not found.skipped


def test_links_and_special_files_are_skipped_and_reported(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo", git=False)
    outside = tmp_path / "outside.py"
    outside.write_text("secret = 1\n")
    (root / "pkg" / "link.py").symlink_to(outside)
    os.mkfifo(root / "pkg" / "pipe.py")
    found = discover(root)
    assert found.files == EXPECTED
    assert sorted((p.path, p.reason) for p in found.skipped) == [
        ("pkg/link.py", "symlink (not followed)"),
        ("pkg/pipe.py", "not a regular file"),
    ]


@pytest.mark.parametrize(("rel", "src", "expected"), [
    ("pkg/a.py", (".",), ("pkg.a", False)),
    ("pkg/__init__.py", (".",), ("pkg", True)),
    ("src/pkg/mod.py", ("src",), ("pkg.mod", False)),
    ("src/pkg/mod.py", (".", "src"), ("pkg.mod", False)),
], ids=["module", "package", "src-layout", "most-specific-root"])
def test_module_name(rel: str, src: tuple[str, ...], expected: tuple[str, bool]) -> None:
    assert module_name(rel, src) == expected
