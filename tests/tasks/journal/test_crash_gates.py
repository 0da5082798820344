"""kill -9 of a real ``phasegate migrate`` while a gate's pytest is running, then recover.

No crash point here: the process is killed from outside at whatever instruction it is on,
while its gate subprocess (its own process group) keeps running as an orphan. The orphan must
not hold the repository lock (the lock descriptor is close-on-exec), and ``recover`` must put
every file back to its pre-phase sha256 and mode.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.crash import ROOT, assert_tree, cli
from tests.helpers.journal_repo import git, make_repo, snapshot

pytestmark = pytest.mark.slow

UNIT = """
[gates.unit]
paths = ["tests"]
policy = "all-pass"
affected = false
workers = 0
timeout = 120
"""
SLOW_TEST = """\
import os, pathlib, time


def test_slow():
    pathlib.Path(os.environ["PG_TEST_PIDFILE"]).write_text(str(os.getpid()))
    time.sleep(60)
"""


def _wait_for(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_kill_migrate_while_a_gate_runs_then_recover(fast_tmp: Path) -> None:
    config = make_repo(fast_tmp)
    text = config.path.read_text().replace('gates = ["syntax"]\n',
                                           'gates = ["syntax", "unit"]\n', 1)
    config.path.write_text(text + UNIT)
    (config.root / "tests").mkdir()
    (config.root / "tests/test_slow.py").write_text(SLOW_TEST)
    git(config.root, "add", "-A")
    git(config.root, "commit", "-qm", "slow gate")
    before = snapshot(config.root)
    pidfile = fast_tmp / "pytest.pid"
    env = {**os.environ, "CI": "1", "PYTHONPATH": str(ROOT), "PG_TEST_PIDFILE": str(pidfile)}
    env.pop("PHASEGATE_CRASH", None)
    proc = subprocess.Popen([sys.executable, "-m", "phasegate", "migrate", "p0", "--config",
                             str(config.path)], cwd=config.root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    orphan = 0
    try:
        _wait_for(pidfile.exists)
        orphan = int(pidfile.read_text())
        log = next((config.root / ".git/phasegate/journal").glob("*/log.jsonl"))
        steps = [json.loads(line)["step"] for line in log.read_text().splitlines()]
        assert steps[-1] == "applied"  # the gate runs on the applied tree
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        os.kill(orphan, 0)  # the gate's pytest outlived it
        done = cli(config.path, "recover")
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith("recovered: phase p0 was left half-applied")
        assert_tree(config.root, before)
    finally:
        if proc.poll() is None:
            proc.kill()
        if orphan:
            try:
                os.killpg(os.getpgid(orphan), signal.SIGKILL)
            except ProcessLookupError:
                pass
