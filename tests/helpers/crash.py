"""Run the real CLI in a subprocess, optionally told to SIGKILL itself at a crash point.

Used by the crash tests in tests/tasks/journal; it holds no tests itself. Every command runs
as ``python -m phasegate ...``: the plan, journal, gates and commands under test are the real
ones.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from phasegate.journal import crashpoints
from tests.helpers.journal_repo import snapshot

ROOT = Path(__file__).resolve().parents[2]
KILLED = -signal.SIGKILL

# crash spec -> whether the phase had committed when the process died
APPLY_CASES = {
    "apply-after-begin-log": False,
    "apply-after-preimages": False,
    "apply-after-manifest": False,
    "apply-after-prepared-log": False,
    "apply-before-replace": False,
    "apply-before-replace:3": False,
    "apply-after-replace": False,
    "apply-after-replace:4": False,
    "apply-after-dir-fsync:2": False,
    "apply-after-applied-log": False,
    "apply-after-gates": False,
    "apply-before-commit-log": False,
    "apply-after-commit-log": True,
}

# crash spec -> the command run after the kill
ROLLBACK_CASES = {
    "rollback-after-start-log": "recover",
    "rollback-before-restore": "rollback",
    "rollback-before-restore:3": "recover",
    "rollback-after-restore": "recover",
    "rollback-after-restore:2": "rollback",
    "rollback-before-done-log": "rollback",
}


def cli(config_path: Path, *argv: str, crash: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != crashpoints.ENV}
    env["CI"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    if crash:
        env[crashpoints.ENV] = crash
    return subprocess.run([sys.executable, "-m", "phasegate", *argv, "--config", str(config_path)],
                          cwd=config_path.parent, env=env, capture_output=True, text=True,
                          timeout=120)


def migrate_in_process(config_path: Path) -> None:
    """Commit p0 through the real CLI in this process (setup for the rollback kills; a
    subprocess here would only cost start-up time)."""
    from phasegate import cli as cli_mod

    assert cli_mod.main(["migrate", "p0", "--config", str(config_path)]) == 0


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
