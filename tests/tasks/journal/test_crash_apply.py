"""SIGKILL a real ``phasegate migrate p0`` at every named crash point of apply, then recover.

After each kill, ``phasegate recover`` must leave every file's sha256 and mode equal to the
snapshot taken before the phase, or to the post-images when the phase had committed. The
rollback and recovery points are in test_crash_rollback.py; the table-coverage test there
checks that together they name every point registered in tasks.crashpoints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate.journal import crashpoints
from tests.helpers.crash import (
    APPLY_CASES,
    KILLED,
    assert_tree,
    cli,
    journal_post,
    migrate_in_process,
)
from tests.helpers.journal_repo import make_repo, snapshot

pytestmark = pytest.mark.slow



def test_apply_table_covers_every_apply_point() -> None:
    assert {c.split(":")[0] for c in APPLY_CASES} == set(crashpoints.APPLY_POINTS)


@pytest.mark.parametrize("crash", list(APPLY_CASES))
def test_kill_during_migrate_then_recover(fast_tmp: Path, crash: str) -> None:
    config = make_repo(fast_tmp)
    before = snapshot(config.root)
    killed = cli(config.path, "migrate", "p0", crash=crash)
    assert killed.returncode == KILLED, killed.stderr
    done = cli(config.path, "recover")
    assert done.returncode == 0, done.stdout + done.stderr
    if APPLY_CASES[crash]:
        assert_tree(config.root, journal_post(config.root, before))
        assert snapshot(config.root) != before
    else:
        assert_tree(config.root, before)
        assert done.stdout.startswith("recovered: ")
    if crash in ("apply-after-prepared-log", "apply-after-commit-log"):  # idempotent
        again = cli(config.path, "recover")
        assert again.stdout == "nothing to recover: no phase was left half-applied\n"
    if crash == "apply-after-replace:4":  # the journal stays usable: migrate again, commit
        migrate_in_process(config.path)
        assert_tree(config.root, journal_post(config.root, before, newest=True))
