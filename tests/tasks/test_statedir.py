"""Where phasegate keeps its state: the git dir, a configured dir, or a per-user cache."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from phasegate import config, statedir

PHASES = '[project]\nroot = "."\n{extra}\n[rules.r]\nkind = "move"\nold = "a.b"\nnew = "a.c"\n'


def load(root: Path, extra: str = "") -> config.Config:
    root.mkdir(parents=True, exist_ok=True)
    (root / "phases.toml").write_text(PHASES.format(extra=extra))
    return config.load(root / "phases.toml")[0]


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statedir, "_FOUND", {})


def test_git_work_tree_uses_the_git_dir(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    cfg = load(tmp_path / "repo")
    assert statedir.state_dir(cfg) == (tmp_path / "repo" / ".git").resolve() / "phasegate"


def test_configured_state_dir_wins(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    cfg = load(tmp_path / "repo", 'state_dir = "../state"')
    assert statedir.state_dir(cfg) == (tmp_path / "state").resolve()


def test_without_git_a_per_user_cache_keyed_by_root(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    one, two = load(tmp_path / "one"), load(tmp_path / "two")
    found = statedir.state_dir(one)
    assert found.parent == tmp_path / "cache" / "phasegate"
    assert found != statedir.state_dir(two)
    assert not str(found).startswith(str(one.root))  # never inside the working tree


def test_git_is_asked_once_per_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    cfg = load(tmp_path / "repo")
    first = statedir.state_dir(cfg)

    def no_more_git(*args: object, **kwargs: object) -> None:
        raise AssertionError("git asked again")

    monkeypatch.setattr(subprocess, "run", no_more_git)
    assert statedir.state_dir(cfg) == first
