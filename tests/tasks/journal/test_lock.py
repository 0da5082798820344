"""One run per repository: a second run fails at once; a killed holder leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from phasegate import journal
from phasegate.errors import EXIT_USAGE, MigrationError
from phasegate.journal import lock
from phasegate.journal.store import lock_path
from tests.helpers.journal_repo import make_repo

HOLDER = """\
import sys, time
from phasegate import config, journal
cfg, _ = config.load(sys.argv[1])
with journal.locked(cfg):
    print("ready", flush=True)
    time.sleep(60)
"""
ROOT = Path(__file__).resolve().parents[3]


def _holder(config_path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(config_path)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_second_run_fails_at_once_naming_the_pid(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    proc = _holder(config.path)
    try:
        with pytest.raises(MigrationError) as err:
            lock.acquire(lock_path(config))
        assert err.value.message.startswith(f"locked by pid {proc.pid}: another phasegate run")
        assert err.value.exit_code == EXIT_USAGE
        cli = subprocess.run([sys.executable, "-m", "phasegate", "rollback", "--config",
                              str(config.path)], cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
        assert cli.returncode == EXIT_USAGE
        assert f"phasegate: error: locked by pid {proc.pid}" in cli.stderr
    finally:
        proc.kill()
        proc.wait()


def test_lock_dies_with_its_process(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    proc = _holder(config.path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with journal.locked(config):  # no stale lock after kill -9
        assert lock.holder(lock_path(config)) == os.getpid()


def test_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with lock.locked(path), lock.locked(path):
        pass
    lock.acquire(path)  # fully released above: acquiring again works
    lock.release(path)


def test_recover_skips_while_another_run_holds_the_lock(tmp_path: Path) -> None:
    from tests.helpers.journal_repo import make_plan

    config = make_repo(tmp_path)
    journal.apply(config, "p0", make_plan(config))  # uncommitted: recovery would roll it back
    proc = _holder(config.path)
    try:
        lines = journal.recover(config)
        assert lines == [f"recovery skipped: locked by pid {proc.pid}: another phasegate run is"
                         f" working on this repository (lock: {lock_path(config)})"]
    finally:
        proc.kill()
        proc.wait()
