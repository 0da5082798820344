"""End to end through `phasegate migrate`: a gate fails -> automatic rollback -> exit 3.

One case per gate, each failing for its own reason on real subprocesses; after the rollback
every file of the tree hashes back to its pre-image.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from phasegate import cli
from tests.helpers.gates_repo import make_repo

pytestmark = pytest.mark.slow

USES_LEGACY = "from app.legacy import helper\n\n\ndef run():\n    return helper()\n"
BROKEN = {"src/app/broken.py": "def helper():\n    return 99\n"}


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts}


def setup_repo(tmp_path: Path, gate: str, *, new: str = "app.modern.helper",
               files: dict[str, str] | None = None, extra: str = "") -> Path:
    config = make_repo(tmp_path, phase_extra=f'gates = ["{gate}"]',
                       files={"src/app/core.py": USES_LEGACY, **(files or {})})
    text = config.path.read_text().replace('new = "app.modern.helper"', f'new = "{new}"')
    config.path.write_text(text + extra)
    root = config.root
    for argv in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "seed"]):
        subprocess.run(["git", *argv], cwd=root, check=True, capture_output=True)
    return config.path


CASES = {
    # ast.parse accepts it, compile() does not: the syntax gate compiles the changed files
    "syntax": dict(files={"src/app/core.py": USES_LEGACY + "\nif False:\n    return None\n"}),
    # the rename makes a line too long for ruff's E501, a diagnostic that was not there before
    "lint": dict(new="app.modern.helper_renamed_to_something_long_enough_to_overflow_lines",
                 files={"src/app/core.py": "from app.legacy import helper\n\n\ndef run():\n"
                        "    return helper() + helper() + helper() + helper() + 0\n"},
                 extra='\n[gates.lint]\nselect = ["E501"]\n'),
    "imports": dict(new="app.missing.helper"),  # the added import does not resolve
    "unit": dict(new="app.broken.helper", files=BROKEN),
    "integration": dict(new="app.broken.helper", files=BROKEN),
    "mission-critical": dict(new="app.broken.helper", files={
        **BROKEN, "tests/critical/test_money.py": "from app.core import run\n\n\n"
                                                  "def test_money():\n    assert run() == 1\n"}),
}


REASONS = {
    "syntax": "  src/app/core.py:8:5: 'return' outside function",
    "lint": "  src/app/core.py:5:89: E501 Line too long",
    "imports": "  unresolved: src/app/core.py: from app.missing import helper: no module named"
               " 'app.missing'",
    "unit": "  tests.unit.test_core::test_run: assert 99 == 1",
    "integration": "  tests.integration.test_flow::test_flow: AssertionError: assert 99 == 1",
    "mission-critical": "  tests.critical.test_money::test_money: assert 99 == 1",
}


@pytest.mark.parametrize("gate", list(CASES))
def test_a_failing_gate_rolls_the_phase_back_and_exits_3(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], gate: str) -> None:
    config_path = setup_repo(tmp_path, gate, **CASES[gate])  # type: ignore[arg-type]
    root = config_path.parent
    before = tree(root)
    code = cli.main(["migrate", "p0", "--config", str(config_path)])
    out = capsys.readouterr().out
    assert code == 3, out
    assert f"FAIL {gate}" in out
    assert REASONS[gate] in out  # the gate failed for its own reason, shown to the user
    assert f"gate {gate} failed" in out and "rolled back" in out
    after = tree(root)
    # phases.toml may gain a [status.p0] table; every other byte is back
    assert {k: v for k, v in after.items() if k != "phases.toml"} == \
        {k: v for k, v in before.items() if k != "phases.toml"}


def test_a_pre_existing_failure_does_not_block_and_the_phase_commits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    known_bad = ("from app.core import run\n\n\ndef test_run():\n    assert run() == 1\n\n\n"
                 "def test_known_bad():\n    assert False\n")
    config_path = setup_repo(tmp_path, "unit", files={"tests/unit/test_core.py": known_bad})
    code = cli.main(["migrate", "p0", "--config", str(config_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS unit" in out and "1 known from the baseline" in out
    core = (config_path.parent / "src/app/core.py").read_text()
    assert core.startswith("from app.modern import helper")


def test_an_unknown_gate_is_refused_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_path = setup_repo(tmp_path, "unit")
    before = tree(config_path.parent)
    code = cli.main(["migrate", "p0", "--config", str(config_path), "--gates", "unti"])
    assert code == 2
    assert "phasegate: error: --gates: unknown gate 'unti'" in capsys.readouterr().err
    assert tree(config_path.parent) == before
