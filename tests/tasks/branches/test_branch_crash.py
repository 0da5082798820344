"""SIGKILL during a `migrate --branch`: the next command recovers the worktree's journal and
removes the stray worktree; no branch exists and the user's tree is byte for byte the same."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.branch_repo import (
    HOLD_ENV,
    IDENTITY,
    branches,
    repo_state,
    shard_repo,
    tree_bytes,
    worktrees,
)

pytestmark = pytest.mark.slow


def _phasegate(repo: Path, *argv: str, hold: Path | None = None) -> subprocess.Popen[str]:
    """The real CLI in its own session (so one killpg reaches it and its child migration)."""
    env = {**os.environ, **IDENTITY, "CI": "1"}
    if hold is not None:
        env[HOLD_ENV] = str(hold)
    return subprocess.Popen([sys.executable, "-m", "phasegate", *argv, "--config",
                             str(repo / "phases.toml")], cwd=repo, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _wait_for(path: Path, proc: subprocess.Popen[str], seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and path.read_text().strip():
            return int(path.read_text())
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def test_sigkill_mid_migration_leaves_nothing_after_the_next_command(fast_tmp: Path) -> None:
    repo = shard_repo(fast_tmp)
    before, state = tree_bytes(repo), repo_state(repo)
    hold = fast_tmp / "held.pid"
    # a's unit test, once it sees the migrated file, writes its pid and sleeps: the phase is
    # applied in the worktree and its gates are running when everything is killed
    run = _phasegate(repo, "migrate", "a", "--branch", hold=hold)
    pytest_pid = _wait_for(hold, run)
    home = repo / ".git" / "phasegate" / "worktrees"
    stray = [p for p in home.iterdir() if p.is_dir()]
    assert len(stray) == 1 and b"app.modern" in (stray[0] / "src/a/mod.py").read_bytes()
    os.killpg(run.pid, signal.SIGKILL)  # phasegate and its child migration
    os.killpg(os.getpgid(pytest_pid), signal.SIGKILL)  # the gate runs in its own group
    run.communicate()
    assert len(worktrees(repo)) == 2  # the stray is still there

    nxt = _phasegate(repo, "status")
    out, err = nxt.communicate(timeout=120)
    assert nxt.returncode == 0, err
    name = stray[0].name
    assert f"worktree {name}: recovered: phase a was left half-applied by an interrupted run" \
        in err
    assert (f"removed the worktree {stray[0]} left by an interrupted `migrate --branch` (no "
            "branch was created for it)") in err
    assert worktrees(repo) == [str(repo)]
    assert list(home.iterdir()) == []
    assert branches(repo) == ["main"]
    assert tree_bytes(repo) == before and repo_state(repo) == state

    again = _phasegate(repo, "status")  # nothing left to clean: says nothing about it
    assert "worktree" not in again.communicate(timeout=120)[1]
