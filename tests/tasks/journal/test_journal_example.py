"""The bundled example: migrate p0 and roll it back; every file hashes back to the original."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from phasegate import cli
from tests.helpers.journal_repo import git, snapshot

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]


def test_rollback_of_the_bundled_example_is_byte_for_byte(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "work"
    shutil.copytree(REPO / "examples", root / "examples",
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    shutil.copy(REPO / "phases.toml", root / "phases.toml")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "example")
    config = str(root / "phases.toml")
    before = snapshot(root)
    # the static gates only: the test tiers are exercised by the gates' own tests
    assert cli.main(["migrate", "p0", "--gates", "syntax,lint,imports", "--config", config]) == 0
    migrated = snapshot(root)
    changed = sorted(k for k in before if migrated[k] != before[k])
    assert changed, "p0 changed nothing on the bundled example"
    capsys.readouterr()
    assert cli.main(["rollback", "p0", "--config", config]) == 0
    out = capsys.readouterr().out
    assert snapshot(root) == before
    assert f"rollback p0 (0001-p0): {len(changed)} restored" in out
    assert f"verified {len(changed)} files: sha256 and mode match the pre-images" in out
    assert cli.main(["rollback", "p0", "--config", config]) == 2  # nothing left to roll back
