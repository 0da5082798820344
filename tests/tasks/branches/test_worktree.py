"""Worktree leases and the stray cleanup every command runs first, on real git repositories."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from phasegate.branches import worktree as worktree_mod
from phasegate.branches.git import common_dir
from phasegate.branches.worktree import Lease, clean_stray, worktrees_dir
from tests.helpers.branch_repo import shard_repo, worktrees
from tests.helpers.journal_repo import git


@pytest.fixture()
def repo(fast_tmp: Path) -> Path:
    return shard_repo(fast_tmp)


def _head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def test_a_live_lease_is_never_cleaned_and_is_removed_on_exit(repo: Path) -> None:
    common = repo / ".git"
    with Lease(common, "a", _head(repo), "phases.toml") as lease:
        assert (lease.config_path).read_text() == (repo / "phases.toml").read_text()
        assert worktrees(repo) == [str(repo), str(lease.dir)]
        assert clean_stray(str(repo / "phases.toml")) == []  # its run holds the lock
        # nor from inside the worktree (a child migration runs the cleanup too)
        assert clean_stray(str(lease.config_path)) == []
        assert lease.dir.is_dir()
    assert worktrees(repo) == [str(repo)]
    assert sorted(os.listdir(worktrees_dir(common))) == []


def test_a_lease_held_by_another_live_process_is_left_alone(repo: Path) -> None:
    """The lock, not the pid, says who is alive: a child that inherited it keeps it held."""
    common = repo / ".git"
    with Lease(common, "a", _head(repo), "phases.toml") as lease:
        child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                                 stdin=subprocess.PIPE, pass_fds=(lease.fd,))
        try:
            assert clean_stray(str(repo / "phases.toml")) == []
        finally:
            child.communicate("")
        assert lease.dir.is_dir()


@pytest.mark.parametrize("leftover", ["lock-only", "dir-without-lock", "both"])
def test_leftovers_of_a_killed_run_are_removed(repo: Path, leftover: str) -> None:
    home = worktrees_dir(repo / ".git")
    home.mkdir(parents=True)
    if leftover != "dir-without-lock":
        (home / "a-0badc0.lock").write_text("12345\n")
        (home / "a-0badc0.json").write_text('{"config": "phases.toml"}')
    if leftover != "lock-only":
        git(repo, "worktree", "add", "-q", "--detach", str(home / "a-0badc0"), "HEAD")
    (home / ".b-123456.lock.tmp").write_text("")  # killed before its lock got its name
    lines = clean_stray(str(repo / "phases.toml"))
    assert lines == [f"removed the worktree {home / 'a-0badc0'} left by an interrupted "
                     "`migrate --branch` (no branch was created for it)"]
    assert os.listdir(home) == [] and worktrees(repo) == [str(repo)]


def test_no_git_or_no_worktrees_costs_nothing(tmp_path: Path, repo: Path) -> None:
    assert clean_stray(str(tmp_path / "phases.toml")) == []
    assert clean_stray(str(repo / "phases.toml")) == []
    assert not worktrees_dir(repo / ".git").exists()


def test_common_dir_from_a_linked_worktree(repo: Path, tmp_path: Path) -> None:
    git(repo, "worktree", "add", "-q", "--detach", str(tmp_path / "linked"), "HEAD")
    assert common_dir(tmp_path / "linked" / "src") == (repo / ".git").resolve()
    assert common_dir(repo / "src" / "a") == repo / ".git"


def test_a_lock_file_removed_before_it_was_locked_is_made_again(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another command's clean_stray may remove a ``.lock.tmp`` between the lease's open and
    its lock (it is unheld then): the lease locks a file that is still there."""
    real = fcntl.flock
    raced: list[str] = []

    def flock(fd: int, op: int) -> None:
        if not raced:  # as a cleaner would, right before our lock
            home = worktrees_dir(repo / ".git")
            for name in os.listdir(home):
                if name.endswith(".lock.tmp"):
                    (home / name).unlink()
                    raced.append(name)
        real(fd, op)

    monkeypatch.setattr(worktree_mod.fcntl, "flock", flock)
    with Lease(repo / ".git", "a", _head(repo), "phases.toml") as lease:
        assert raced and (lease.home / f"{lease.name}.lock").is_file()
        assert os.fstat(lease.fd).st_ino == os.stat(lease.home / f"{lease.name}.lock").st_ino
