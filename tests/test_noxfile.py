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
STATIC = ("detect", "watch", "suggest", "verify", "status", "recover", "tests", "lint", "bench")
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
                                                                         "rollback", "split")]
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


class FakeSession:
    """Just what the glue uses: posargs, run (raising like nox), error."""

    def __init__(self, posargs: list[str], exit_code: int) -> None:
        self.posargs = posargs
        self.exit_code = exit_code
        self.ran: list[tuple[tuple[str, ...], list[int]]] = []

    def run(self, *args: str, success_codes: list[int], **_: object) -> None:
        import nox.command

        self.ran.append((args, success_codes))
        if self.exit_code not in success_codes:
            raise nox.command.CommandFailed(return_code=self.exit_code)

    def error(self, message: str) -> None:
        raise SessionError(message)


class SessionError(Exception):
    pass


@pytest.fixture()
def noxfile(monkeypatch: pytest.MonkeyPatch, config: Path) -> object:
    pytest.importorskip("nox")
    import importlib.util

    import nox.registry

    monkeypatch.setattr(nox.registry, "_REGISTRY", {})  # a registry of our own, restored after
    monkeypatch.setattr(nox.options, "sessions", None)
    monkeypatch.setenv("PHASEGATE_CONFIG", str(config))
    spec = importlib.util.spec_from_file_location("noxfile_under_test", REPO / "noxfile.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "shared_env", lambda session: Path("/venv/bin"))
    return module


GLUE_CASES = [
    # session, posargs, phasegate exit, expected error (None = the session succeeds)
    ("detect", [], 1, None),
    ("detect", ["--check"], 1, "phasegate detect exited 1: violations found / changes pending"),
    ("detect", ["--baseline"], 1,
     "phasegate detect exited 1: violations found / changes pending"),
    ("detect", [], 2, "phasegate detect exited 2: usage or configuration error"),
    ("status", [], 0, None),
    ("verify", ["--shard", "1/4"], 3,
     "phasegate verify exited 3: a test tier failed"),
    ("plan-p0", [], 1, None),
    ("migrate-p0", [], 3, "phasegate migrate exited 3: a gate failed and the phase was rolled "
     "back"),
    ("rollback-p0", [], 4, "phasegate rollback exited 4: rollback left conflicts"),
    ("recover", [], 70, "phasegate recover exited 70: internal error"),
    ("split-p0", ["--by", "directory", "--write"], 0, None),
    ("split-p0", ["--max-files", "0"], 2, "phasegate split exited 2: usage or configuration "
     "error"),
    ("migrate-p0", ["--branch"], 3, "phasegate migrate exited 3: a gate failed and the phase "
     "was rolled back"),
]


@pytest.mark.parametrize("name,posargs,code,error", GLUE_CASES,
                         ids=[f"{c[0]}{c[1]}-exit{c[2]}" for c in GLUE_CASES])
def test_exit_codes_become_one_session_error(noxfile: object, name: str, posargs: list[str],
                                             code: int, error: str | None) -> None:
    import nox.registry

    session = FakeSession(posargs, code)
    func = nox.registry.get()[name]
    if error is None:
        func(session)
    else:
        with pytest.raises(SessionError) as info:
            func(session)
        assert str(info.value) == error
    args, _ = session.ran[0]
    assert args[0] == str(Path("/venv/bin") / "phasegate")
    command = name.split("-")[0]
    assert args[1] == command
    assert "--check" not in args  # a noxfile option, never passed to phasegate
    assert [a for a in posargs if a != "--check"] == [a for a in args[2:] if a != "p0"]


@pytest.mark.parametrize(("posargs", "commands"), [
    ([], ["migrate", "status"]),
    (["--branch"], ["migrate"]),  # the user's tree did not change: no status after it
    (["--branch=mine/p0"], ["migrate"]),
], ids=["in-place", "branch", "branch-name"])
def test_migrate_passes_branch_through(noxfile: object, posargs: list[str],
                                       commands: list[str]) -> None:
    import nox.registry

    session = FakeSession(posargs, 0)
    nox.registry.get()["migrate-p0"](session)
    assert [args[1] for args, _ in session.ran] == commands
    assert list(session.ran[0][0][2:]) == ["p0", *posargs]
