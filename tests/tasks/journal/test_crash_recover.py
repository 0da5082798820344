"""SIGKILL a real ``phasegate recover`` at every named recovery crash point, then recover again.

migrate p0 killed half-way (after the third file was replaced), ``recover`` killed at the point,
then ``recover`` once more: every file's sha256 and mode must end equal to the snapshot taken
before the phase. Also checks the crash tables together name every registered point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate.journal import crashpoints
from phasegate.report import history
from tests.helpers.crash import APPLY_CASES, KILLED, ROLLBACK_CASES, assert_tree, cli
from tests.helpers.journal_repo import make_repo, snapshot

pytestmark = pytest.mark.slow

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


def test_a_recovered_rollback_is_in_the_history(fast_tmp: Path) -> None:
    """The interrupted run could not write its history record: recovery writes it, once."""
    config = make_repo(fast_tmp)
    half = cli(config.path, "migrate", "p0", crash="apply-after-dir-fsync:3")
    assert half.returncode == KILLED
    path = history.path_for(config)
    before = history.read(path) if path.exists() else []
    done = cli(config.path, "recover")
    assert done.returncode == 0, done.stdout + done.stderr
    again = cli(config.path, "recover")
    assert again.returncode == 0, again.stdout + again.stderr
    added = history.read(path)[len(before):]
    assert [(r.event, r.phase) for r in added] == [("rolled-back", "p0")]
    assert added[0].note.startswith("recovered after an interrupted run (")
