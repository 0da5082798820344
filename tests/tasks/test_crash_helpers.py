"""Run the real CLI in a subprocess, optionally told to SIGKILL itself at a crash point.

Imported by test_crash_apply / test_crash_rollback; it holds no tests itself. ``migrate`` runs as
``python -m tasks migrate p0`` when tasks.plan is importable; otherwise the same CLI is started
through a two-line driver that swaps in the in-test plan (test_journal_repo.fake_plan), so the
journal, gates and commands under test are always the real ones.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from phasegate.journal import crashpoints
from tests.tasks.test_journal_repo import snapshot

ROOT = Path(__file__).resolve().parents[2]
REAL_PLAN = importlib.util.find_spec("phasegate.plan") is not None
DRIVER = """\
import sys
from phasegate.commands import migrate
from tests.tasks.test_journal_repo import fake_plan
migrate._build_plan = fake_plan
from phasegate.cli import main
sys.exit(main(sys.argv[1:]))
"""
KILLED = -signal.SIGKILL


@pytest.fixture
def fast_tmp(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs dir when there is one. SIGKILL loses nothing the page cache holds, so tmpfs
    tests the same thing as a disk here, minus seconds of fsync per test on a slow disk."""
    if not Path("/dev/shm").is_dir():
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix="pg-crash-", dir="/dev/shm"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def cli(config_path: Path, *argv: str, crash: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != crashpoints.ENV}
    env["CI"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    if crash:
        env[crashpoints.ENV] = crash
    head = [sys.executable, "-m", "phasegate"] if REAL_PLAN else [sys.executable, "-c", DRIVER]
    return subprocess.run([*head, *argv, "--config", str(config_path)], cwd=config_path.parent,
                          env=env, capture_output=True, text=True, timeout=120)


def migrate_in_process(config_path: Path) -> None:
    """Commit p0 through the real CLI in this process (setup for the rollback kills; a
    subprocess here would only cost start-up time)."""
    from phasegate import cli as cli_mod

    if REAL_PLAN:
        code = cli_mod.main(["migrate", "p0", "--config", str(config_path)])
    else:
        from phasegate.commands import migrate
        from tests.tasks.test_journal_repo import fake_plan

        saved = migrate._build_plan
        migrate._build_plan = fake_plan
        try:
            code = cli_mod.main(["migrate", "p0", "--config", str(config_path)])
        finally:
            migrate._build_plan = saved
    assert code == 0


def journal_post(root: Path, before: dict[str, tuple[str, int]], *,
                 newest: bool = False) -> dict[str, tuple[str, int]]:
    """The snapshot a committed phase must leave: the manifest's post hashes over ``before``
    (of the newest transaction only when ``newest``)."""
    out = dict(before)
    manifests = sorted((root / ".git" / "phasegate" / "journal").glob("*/manifest.json"))
    for manifest in manifests[-1:] if newest else manifests:
        for entry in json.loads(manifest.read_text())["body"]["entries"]:
            out[entry["path"]] = (entry["post"], entry["mode"])
    return out


def assert_tree(root: Path, expected: dict[str, tuple[str, int]]) -> None:
    now = snapshot(root)
    diff = sorted(k for k in set(now) | set(expected) if now.get(k) != expected.get(k))
    assert not diff, f"files differ from the snapshot: {diff}"
