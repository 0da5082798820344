"""SIGKILL a real ``phasegate rollback`` at every named rollback crash point.

migrate p0 (committed), ``rollback p0`` killed at the point, then the next command (``recover``
or ``rollback`` again) must finish the rollback: every file's sha256 and mode must end equal to
the snapshot taken before the phase.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate.journal import crashpoints
from tests.helpers.crash import KILLED, ROLLBACK_CASES, assert_tree, cli, migrate_in_process
from tests.helpers.journal_repo import make_repo, snapshot

pytestmark = pytest.mark.slow



@pytest.mark.parametrize("crash", list(ROLLBACK_CASES))
def test_kill_during_rollback_then_next_command(fast_tmp: Path, crash: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crashpoints.ENV, raising=False)
    config = make_repo(fast_tmp)
    before = snapshot(config.root)
    migrate_in_process(config.path)
    assert snapshot(config.root) != before
    killed = cli(config.path, "rollback", "p0", crash=crash)
    assert killed.returncode == KILLED, killed.stdout + killed.stderr
    nxt = ROLLBACK_CASES[crash]
    done = cli(config.path, *([nxt, "p0"] if nxt == "rollback" else [nxt]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "recovered: phase p0 was left half-rolled-back" in done.stdout + done.stderr
    assert "sha256 and mode match the pre-images" in done.stdout + done.stderr
    assert_tree(config.root, before)
