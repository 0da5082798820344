"""SIGKILL a real ``phasegate rollback`` / ``phasegate recover`` at every named crash point.

Rollback points: migrate p0 (committed), ``rollback p0`` killed at the point, then the next
command (``recover`` or ``rollback`` again) must finish the rollback. Recovery points: migrate
killed half-way, ``recover`` killed at the point, ``recover`` again. Either way every file's
sha256 and mode must end equal to the snapshot taken before the phase.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks import crashpoints
from tests.tasks.test_crash_apply import APPLY_CASES
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
RECOVER_CASES = (
    "recover-after-start-log",
    "recover-before-restore",
    "recover-before-restore:2",
    "recover-after-restore:2",
    "recover-before-done-log",
)


def test_tables_cover_every_registered_crash_point() -> None:
    named = {c.split(":")[0] for c in [*APPLY_CASES, *ROLLBACK_CASES, *RECOVER_CASES]}
    assert named == set(crashpoints.POINTS)


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


@pytest.mark.parametrize("crash", RECOVER_CASES)
def test_kill_during_recovery_then_recover_again(fast_tmp: Path, crash: str) -> None:
    config = make_repo(fast_tmp)
    before = snapshot(config.root)
    half = cli(config.path, "migrate", "p0", crash="apply-after-dir-fsync:3")
    assert half.returncode == KILLED
    killed = cli(config.path, "recover", crash=crash)
    assert killed.returncode == KILLED, killed.stdout + killed.stderr
    done = cli(config.path, "recover")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("recovered: phase p0 was left half-rolled-back")
    assert_tree(config.root, before)
