"""The gate registry: a gate registered from outside phasegate is validated and run like a
built-in one; command gates declared in phases.toml run as real subprocesses."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from phasegate import cli
from phasegate import config as config_mod
from phasegate.config import GateSettings
from phasegate.config.problems import Problems, as_int
from phasegate.errors import MigrationError
from phasegate.gates import ladder as gates
from phasegate.gates.results import GateResult
from phasegate.gates.spec import GATES, GateRun, GateSpec, builtin
from tests.helpers.gates_repo import CORE, ladder, make_repo


@dataclass(frozen=True)
class ToySettings(GateSettings):
    max_files: int = 1


def read_toy(p: Problems, body: Mapping[str, Any], key: str, name: str) -> ToySettings:
    return ToySettings(name=name, max_files=as_int(p, body.get("max_files"), f"{key}.max_files",
                                                   1, minimum=1))


def run_toy(run: GateRun, name: str) -> GateResult:
    settings = run.settings(name)
    assert isinstance(settings, ToySettings)
    ok = len(run.changed) <= settings.max_files
    return GateResult(name, ok, 0.0, f"{len(run.changed)} file(s) changed, at most"
                      f" {settings.max_files}")


@pytest.fixture
def toy() -> Iterator[GateSpec]:
    spec = GATES.register(GateSpec(name="toy", order=15, keys=("max_files",), read=read_toy,
                                   run=run_toy))
    yield spec
    GATES.unregister("toy")


def with_gate(path: Path, gates_line: str, table: str) -> None:
    """The phase lists ``gates_line`` (on the template's blank line 14) and a table follows."""
    text = path.read_text().replace('rules = ["old-helper"]\n\n',
                                    f'rules = ["old-helper"]\n{gates_line}\n', 1)
    path.write_text(text + f"\n{table}\n")


def toy_repo(tmp_path: Path, table: str) -> Path:
    config = make_repo(tmp_path)
    with_gate(config.path, 'gates = ["lint", "toy", "syntax"]', f"[gates.toy]\n{table}")
    return config.path


def test_a_gate_registered_from_outside_is_validated_and_run(tmp_path: Path,
                                                             toy: GateSpec) -> None:
    assert [s.name for s in builtin()][:3] == ["syntax", "toy", "lint"]  # by order
    config = config_mod.load(toy_repo(tmp_path, "max_files = 2"))[0]
    assert config.phase("p0").gates == ("syntax", "toy", "lint")  # the ladder's order
    assert config.gate("toy") == ToySettings(name="toy", max_files=2, configured=True)
    passing = ladder(config, [CORE], gates.Baseline(), only=["toy"]).results
    assert [(r.name, r.passed, r.summary) for r in passing] == [
        ("toy", True, "1 file(s) changed, at most 2")]
    failing = ladder(config, [CORE, "a.py", "b.py"], gates.Baseline(), only=["toy"]).results
    assert [(r.name, r.passed) for r in failing] == [("toy", False)]


def test_a_registered_gate_refuses_its_unknown_keys(tmp_path: Path, toy: GateSpec) -> None:
    with pytest.raises(MigrationError) as err:
        config_mod.load(toy_repo(tmp_path, "max_file = 2"))
    assert str(err.value) == ("phases.toml:32: gates.toy.max_file: unknown key 'max_file'"
                              " (did you mean 'max_files'?)")


def test_without_the_registration_the_gate_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(MigrationError) as err:
        config_mod.load(toy_repo(tmp_path, "max_files = 2"))
    assert str(err.value).splitlines() == [
        "phases.toml:31: gates.toy: unknown gate 'toy' (a gate of your own needs command ="
        " [...])",
        "phases.toml:14: phases.p0.gates[1]: unknown gate 'toy'"]


# -- command gates ---------------------------------------------------------------------------

CHECK = """\
import sys
from pathlib import Path
text = Path("src/app/core.py").read_text()
print("known: src/app/other.py:1: unused import")
if "modern" in text:
    print("src/app/core.py:1: error: the new import is forbidden")
    print("second line of output")
    sys.exit(1)
sys.exit(1 if "--strict" in sys.argv else 0)
"""


def command_repo(tmp_path: Path, table: str) -> Path:
    config = make_repo(tmp_path, files={
        CORE: "from app.legacy import helper\n\n\ndef run():\n    return helper()\n",
        "check.py": CHECK})
    with_gate(config.path, 'gates = ["syntax", "check"]', f"[gates.check]\n{table}")
    import subprocess

    for argv in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "seed"]):
        subprocess.run(["git", *argv], cwd=config.root, check=True, capture_output=True)
    return config.path


def test_a_failing_command_gate_rolls_back_with_exit_3_and_shows_its_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    path = command_repo(tmp_path, f'command = ["{sys.executable}", "check.py"]')
    before = (path.parent / CORE).read_bytes()
    assert cli.main(["migrate", "p0", "--config", str(path)]) == 3
    out = capsys.readouterr().out
    assert "FAIL check" in out and "exited 1" in out
    assert "  known: src/app/other.py:1: unused import\n" \
           "  src/app/core.py:1: error: the new import is forbidden\n" \
           "  second line of output\n" in out
    assert "gate check failed" in out and (path.parent / CORE).read_bytes() == before


@pytest.mark.parametrize(("args", "code", "shown"), [
    ('"check.py", "--strict"', 0, ""),  # fails before and after, with no new line: passes
    ('"check.py"', 3, "  src/app/core.py:1: error: the new import is forbidden\n"),
])
def test_a_command_gate_with_a_baseline_fails_on_new_output_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: str, code: int,
        shown: str) -> None:
    import sys

    path = command_repo(tmp_path, f'command = ["{sys.executable}", {args}]\nbaseline = true')
    if not code:  # make the "after" output the same lines as before
        check = (path.parent / "check.py").read_text().replace('"modern" in text', "False")
        (path.parent / "check.py").write_text(check)
        import subprocess

        subprocess.run(["git", "commit", "-qam", "same"], cwd=path.parent, check=True,
                       capture_output=True, env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL":
                                                 "t@t", "GIT_COMMITTER_NAME": "t",
                                                 "GIT_COMMITTER_EMAIL": "t@t"})
    assert cli.main(["migrate", "p0", "--config", str(path)]) == code
    out = capsys.readouterr().out
    if code:
        assert "2 new output line(s) since before the phase" in out
        assert shown + "  second line of output\n" in out  # the known line is not shown
    else:
        assert "PASS check" in out


def test_a_command_gate_is_killed_at_its_timeout_with_its_env(tmp_path: Path) -> None:
    import sys

    config = config_mod.load(command_repo(
        tmp_path, f'command = ["{sys.executable}", "-c", "import os, time; print(os.environ['
        f'\'MARK\'], flush=True); time.sleep(30)"]\ntimeout = 1\nenv = {{ MARK = "hello" }}'))[0]
    gate = ladder(config, [CORE], gates.Baseline(), only=["check"]).results[0]
    assert not gate.passed and gate.duration < 10
    assert gate.summary.endswith("timed out after 1s") and gate.details == ["hello"]


@pytest.mark.parametrize(("table", "message"), [
    ('command = "mypy src"', "phases.toml:32: gates.check.command: must be a list of strings,"
     " got a string"),
    ('command = ["mypy"]\nbaseline = "yes"', "phases.toml:33: gates.check.baseline: must be"
     " true or false, got a string"),
    ('command = ["mypy"]\npaths = ["src"]', "phases.toml:33: gates.check.paths: unknown key"
     " 'paths'"),
])
def test_bad_command_gate_tables_name_their_key(tmp_path: Path, table: str,
                                                message: str) -> None:
    with pytest.raises(MigrationError) as err:
        config_mod.load(command_repo(tmp_path, table))
    assert str(err.value).splitlines()[0] == message
