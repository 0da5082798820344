"""noxfile.py: sessions generated per phase with one-line docstrings; mutating ones not default.

Checked through `nox -l` (the real CLI, nox from the test venv) against a phases.toml we
control (PHASEGATE_CONFIG), so the list does not depend on the bundled example's phases.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG = """\
[project]
root = "src"

[rules.old]
kind = "move"
old = "pkg.old.f"
new = "pkg.new.f"

[phases.p0]
files = ["a/**"]
rules = ["old"]

[phases.Hot-Fix]
files = ["b/**"]
rules = ["old"]
"""
STATIC = ("detect", "verify", "status", "recover", "tests", "lint", "bench")
MUTATING = ("recover", "migrate-p0", "rollback-p0", "migrate-hot-fix", "rollback-hot-fix")
LINE = re.compile(r"^([*-]) (\S+) -> (.+)$")


def nox_list(config: Path) -> dict[str, tuple[bool, str]]:
    """session -> (selected by default, docstring) as `nox -l` prints them."""
    nox = shutil.which("nox", path=os.path.dirname(sys.executable)) or shutil.which("nox")
    if nox is None:
        pytest.skip("nox is not installed")
    env = {**os.environ, "PHASEGATE_CONFIG": str(config), "NO_COLOR": "1"}
    out = subprocess.run([nox, "-l", "-f", str(REPO / "noxfile.py")], capture_output=True,
                         text=True, env=env, timeout=120, check=True).stdout
    sessions = {}
    for line in out.splitlines():
        match = LINE.match(line)
        if match:
            sessions[match.group(2)] = (match.group(1) == "*", match.group(3))
    return sessions


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    path = tmp_path / "phases.toml"
    path.write_text(CONFIG)
    return path


def test_sessions_per_phase_with_docstrings(config: Path) -> None:
    sessions = nox_list(config)
    per_phase = [f"{kind}-{p}" for p in ("p0", "hot-fix") for kind in ("plan", "migrate",
                                                                         "rollback")]
    assert set(sessions) == set(STATIC) | set(per_phase)
    assert "phase p0" in sessions["migrate-p0"][1]
    assert "phase hot-fix" in sessions["rollback-hot-fix"][1]
    for name, (_, doc) in sessions.items():
        assert doc.strip() and "\n" not in doc, name


def test_mutating_sessions_are_not_default(config: Path) -> None:
    sessions = nox_list(config)
    defaults = {name for name, (selected, _) in sessions.items() if selected}
    assert defaults == {"detect", "plan-p0", "plan-hot-fix", "status", "lint", "tests"}
    assert not defaults & set(MUTATING)


@pytest.mark.parametrize("text", ["[project\n", "[project]\nroot = 3\n", ""],
                         ids=["invalid-toml", "invalid-config", "empty"])
def test_broken_config_keeps_static_sessions(tmp_path: Path, text: str) -> None:
    path = tmp_path / "phases.toml"
    path.write_text(text)
    assert set(nox_list(path)) == set(STATIC)


def test_missing_config_keeps_static_sessions(tmp_path: Path) -> None:
    assert set(nox_list(tmp_path / "nowhere.toml")) == set(STATIC)


def test_tests_session_is_the_readme_command() -> None:
    source = (REPO / "noxfile.py").read_text()
    body = source[source.index("def tests("):source.index("def lint(")]
    assert 'session.install("-e", ".[test]", "nox")' in body
    assert 'session.run("pytest", "-n", "auto", *session.posargs)' in body
