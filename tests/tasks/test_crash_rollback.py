"""SIGKILL a real ``phasegate rollback`` at every named rollback crash point.

migrate p0 (committed), ``rollback p0`` killed at the point, then the next command (``recover``
or ``rollback`` again) must finish the rollback: every file's sha256 and mode must end equal to
the snapshot taken before the phase.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate.journal import crashpoints
from tests.tasks.test_crash_helpers import KILLED, assert_tree, cli, fast_tmp, migrate_in_process
from tests.tasks.test_journal_repo import make_repo, snapshot

pytestmark = pytest.mark.slow
__all__ = ["fast_tmp"]  # the fixture, imported so pytest finds it here

# crash spec -> the command run after the kill
ROLLBACK_CASES = {
    "rollback-after-start-log": "recover",
    "rollback-before-restore": "rollback",
    "rollback-before-restore:3": "recover",
    "rollback-after-restore": "recover",
    "rollback-after-restore:2": "rollback",
    "rollback-before-done-log": "rollback",
}


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
