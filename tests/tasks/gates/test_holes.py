"""Issue 12's holes, one test each, on real pytest subprocesses: every case here gave a wrong
green (or a wrong word) before the fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from phasegate import cli, state
from phasegate.errors import MigrationError
from phasegate.gates import ladder as gates
from tests.helpers.gates_repo import CORE, ladder, make_repo, snapshot, write

BROKEN_CORE = "from app.modern import helper\n\n\ndef run():\n    return helper() + 1\n"


# 1. the imports gate looks the name up in a module that star-imports -----------------------

@pytest.mark.parametrize(("added", "problem"), [
    ("from collections.abc import Iterabl", "'Iterabl' is not defined in collections.abc"),
    ("from collections.abc import Iterable", ""),
    ("from app.star import helper", ""),  # the repo's own star-importing module
    ("from app.star import helpr", "'helpr' is not defined in app.star"),
    ("from app.lazy import anything", ""),  # a module __getattr__ answers
    ("from app.lazy import nothing", "'nothing' is not defined in app.lazy"),
])
def test_1_a_typo_in_a_star_importing_module_is_unresolved(tmp_path: Path, added: str,
                                                          problem: str) -> None:
    config = make_repo(tmp_path, files={
        "src/app/star.py": "from app.modern import *  # noqa: F403\n",
        "src/app/lazy.py": "def __getattr__(name):\n    if name == 'anything':\n"
                           "        return 1\n    raise AttributeError(name)\n"})
    base = snapshot(config, [CORE], ("imports",))
    write(config, CORE, f"from app.modern import helper\n{added}\n\n\ndef run():\n"
                        "    return helper()\n")
    gate = ladder(config, [CORE], base, only=["imports"]).results[0]
    assert gate.passed == (not problem), gate.details
    if problem:
        assert gate.details == [f"unresolved: {CORE}: {added}: {problem}"]


# 2. zero tests is not a pass ----------------------------------------------------------------

@pytest.mark.parametrize(("table", "passed", "summary"), [
    ('paths = ["tests/unti"]', False, "no test to run: no test file in the tier (paths:"
     " tests/unti) (a tier that tests nothing is not a pass; allow_empty = true to accept it)"),
    ('paths = ["tests/unti"]\nallow_empty = true', True,
     "ran nothing (allow_empty = true): no test file in the tier (paths: tests/unti)"),
    ('paths = ["tests/unit"]\nmarkers = "nosuchmarker"', False,
     "no test ran (a tier that tests nothing is not a pass; allow_empty = true to accept it):"
     " 0 passed, 0 failed; 0 of 0 collected test(s) ran; no-new-failures"),
])
def test_2_a_tier_that_runs_no_test_fails_unless_allowed(tmp_path: Path, table: str,
                                                        passed: bool, summary: str) -> None:
    config = make_repo(tmp_path)
    text = config.path.read_text().replace('paths = ["tests/unit"]', table)
    config.path.write_text(text)
    from phasegate import config as config_mod

    config = config_mod.load(config.path)[0]
    base = snapshot(config, None, ("unit",))
    gate = ladder(config, [CORE], base, only=["unit"], all_tests=True).results[0]
    assert (gate.passed, gate.summary) == (passed, summary)


# 3. the tests must import the tree being migrated, not another copy ------------------------

def test_3_tests_importing_an_installed_copy_fail_the_tier(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_repo(tmp_path, files={"pyproject.toml": ""})  # no pythonpath = ["src"]
    installed = tmp_path / "site-packages"
    for rel in ("app/__init__.py", "app/modern.py", "app/core.py", "app/other.py",
                "app/leaf.py"):
        (installed / rel).parent.mkdir(parents=True, exist_ok=True)
        (installed / rel).write_bytes((config.root / "src" / rel).read_bytes())
    monkeypatch.setenv("PYTHONPATH", str(installed))  # as a non-editable install would be
    base = snapshot(config, [CORE], ("unit",))
    write(config, CORE, BROKEN_CORE)  # the installed copy still passes the tests
    gate = ladder(config, [CORE], base, only=["unit"]).results[0]
    assert not gate.passed
    assert gate.summary.startswith("the tests would import another copy of the changed code")
    assert gate.details == [f"app.core imports from {installed / 'app' / 'core.py'}"]


# 4. collection errors and a drop in collected tests ----------------------------------------

def test_4_a_module_that_cannot_be_collected_fails_even_when_known(tmp_path: Path) -> None:
    config = make_repo(tmp_path, files={
        "tests/unit/test_broken.py": "import no_such_module_anywhere\n\n\ndef test_x():\n"
                                     "    pass\n"})
    base = snapshot(config, None, ("unit",))
    write(config, CORE, "from app.modern import helper\n\n\ndef run():\n    return helper()\n"
                        "# touched\n")
    gate = ladder(config, [CORE], base, only=["unit"], all_tests=True).results[0]
    assert not gate.passed
    assert gate.summary.startswith("1 test module(s) could not be collected: 3 passed, 0 failed;"
                                   " 3 of 3 collected test(s) ran")
    assert gate.details == ["not collected: tests.unit.test_broken: ModuleNotFoundError: No"
                            " module named 'no_such_module_anywhere'"]


def test_4_fewer_tests_collected_after_the_phase_fails(tmp_path: Path) -> None:
    generated = ("import pytest\nimport app.core\n\n\n@pytest.mark.parametrize('n', "
                 "getattr(app.core, 'CASES', []))\ndef test_case(n):\n    assert n\n")
    config = make_repo(tmp_path, files={
        "tests/unit/test_cases.py": generated,
        CORE: "from app.modern import helper\n\nCASES = [1, 2, 3]\n\n\ndef run():\n"
              "    return helper()\n"})
    base = snapshot(config, None, ("unit",))
    assert base.tiers["unit"].collected == 6
    write(config, CORE, "from app.modern import helper\n\n\ndef run():\n    return helper()\n")
    gate = ladder(config, [CORE], base, only=["unit"], all_tests=True).results[0]
    assert not gate.passed
    # the emptied parametrization leaves one skipped placeholder: 3 + 1 instead of 3 + 3
    assert gate.summary.startswith("2 fewer test(s) collected than before the phase (4 < 6)")


# 5. the baseline is reused although phasegate rewrote phases.toml inside the root ----------

def test_5_the_baseline_is_reused_after_phasegate_records_its_status(tmp_path: Path) -> None:
    config = make_repo(tmp_path)  # root = "." : phases.toml is inside the tree
    first = snapshot(config, None, ("unit",))
    state.record_phase(config, "p0", status="in-progress")
    assert "[status.p0]" in config.path.read_text()
    again = snapshot(config, None, ("unit",))
    assert not first.tiers["unit"].reused and again.tiers["unit"].reused
    write(config, "phases.toml", config.path.read_text() + "\n[gates.lint]\ntimeout = 9\n")
    assert not snapshot(config, None, ("unit",)).tiers["unit"].reused  # a real edit counts


# 6. a failing run stops as soon as its outcome is decided ----------------------------------

SLOW = "".join(f"def test_slow{i}():\n    import time\n    time.sleep(0.05)\n\n\n"
               for i in range(6))


@pytest.mark.parametrize(("stop_after", "known_first", "ran"), [
    ("", False, 1),  # the first new failure decides
    ("stop_after = 2", False, 2),  # configurable
    ("stop_after = 0", False, 8),  # never stop
    ("", True, 2),  # a known failure does not count toward the stop
])
def test_6_a_failing_tier_stops_at_its_deciding_failure(
        tmp_path: Path, stop_after: str, known_first: bool, ran: int) -> None:
    fails = ("def test_a1():\n    import app.core\n    assert app.core.run() == 1\n\n\n"
             "def test_a2():\n    import app.core\n    assert app.core.run() == 1\n")
    if known_first:
        fails = "def test_a0():\n    assert False, 'known'\n\n\n" + fails
    config = make_repo(tmp_path, files={"tests/unit/test_a.py": fails,
                                        "tests/unit/test_b.py": SLOW})
    text = config.path.read_text().replace('paths = ["tests/unit"]',
                                           f'paths = ["tests/unit"]\nreruns = 0\n{stop_after}')
    config.path.write_text(text)
    from phasegate import config as config_mod

    config = config_mod.load(config.path)[0]
    base = snapshot(config, None, ("unit",))
    write(config, CORE, BROKEN_CORE)
    gate = ladder(config, [CORE], base, only=["unit"], all_tests=True).results[0]
    assert not gate.passed
    collected = 12 if known_first else 11  # with test_core, test_leaf and test_other
    ran_now = ran if ran < 8 else collected
    assert f"; {ran_now} of {collected} collected test(s) ran;" in gate.summary
    if ran_now < collected:
        assert gate.details[-1].startswith("stopped early (")


# 7. verify applies the tier's policy ------------------------------------------------------

def test_7_verify_accepts_the_tree_migrate_accepted(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    known_bad = ("from app.core import run\n\n\ndef test_run():\n    assert run() == 1\n\n\n"
                 "def test_known_bad():\n    assert False\n")
    config = make_repo(tmp_path, files={"tests/unit/test_core.py": known_bad})
    snapshot(config, None, ("unit",))  # what migrate records before its phase
    args = ["verify", "--config", str(config.path), "--tier", "unit"]
    assert cli.main(args) == 0
    assert "1 known from the baseline" in capsys.readouterr().out
    write(config, "tests/unit/test_leaf.py", "def test_leaf():\n    assert False, 'new'\n")
    assert cli.main(args) == 3
    assert "tests.unit.test_leaf::test_leaf: AssertionError: new" in capsys.readouterr().out


# 8. the smaller ones ------------------------------------------------------------------------

def test_8_a_tier_env_reaches_the_tests(tmp_path: Path) -> None:
    config = make_repo(tmp_path, files={
        "tests/unit/test_env.py": "import os\n\n\ndef test_fast():\n"
                                  "    assert os.environ.get('FAST') == '1'\n"})
    text = config.path.read_text().replace('paths = ["tests/unit"]',
                                           'paths = ["tests/unit"]\nenv = { FAST = "1" }')
    config.path.write_text(text)
    from phasegate import config as config_mod

    config = config_mod.load(config.path)[0]
    gate = ladder(config, [CORE], gates.Baseline(), only=["unit"], all_tests=True).results[0]
    assert gate.passed, gate.details


def test_8_a_tier_without_a_table_is_not_in_the_ladder(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    text = config.path.read_text()
    bare = text[:text.index("[gates.integration]")]
    config.path.write_text(bare)
    from phasegate import config as config_mod

    assert config_mod.load(config.path)[0].phase("p0").gates == (
        "syntax", "lint", "imports", "unit")  # no "PASS integration ... skipped"
    config.path.write_text(bare.replace('rules = ["old-helper"]',
                                        'rules = ["old-helper"]\ngates = ["integration"]'))
    with pytest.raises(MigrationError) as err:
        config_mod.load(config.path)
    assert str(err.value) == ("phases.toml:14: phases.p0.gates[0]: gate 'integration' has no"
                              " [gates.integration] table (say which tests it runs, e.g. paths"
                              " = [...])")


def test_8_a_conftest_that_does_not_import_is_named(tmp_path: Path) -> None:
    config = make_repo(tmp_path, files={"tests/unit/conftest.py": "import no_such_plugin_x\n"})
    gate = ladder(config, [CORE], gates.Baseline(), only=["unit"], all_tests=True).results[0]
    assert not gate.passed
    conftest = os.path.realpath(config.root / "tests/unit/conftest.py")
    assert gate.summary.startswith(f"pytest exited 4 (a conftest does not import: {conftest})")


def test_8_a_rolled_back_phase_lists_no_file_as_done(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    state.record_phase(config, "p0", status="complete", files_done=[CORE])
    assert state.read_status(config)["p0"]["files_done"] == [CORE]
    state.record_phase(config, "p0", status="rolled-back")
    assert state.read_status(config)["p0"]["files_done"] == []


def test_8_a_baseline_that_cannot_run_is_exit_2_and_nothing_is_applied(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    config = make_repo(tmp_path, timeout=2, files={
        "src/app/core.py": "from app.legacy import helper\n\n\ndef run():\n    return helper()\n",
        "tests/unit/test_hang.py": "import time\nimport app.core\n\n\ndef test_hang():\n"
                                   "    time.sleep(60)\n"})
    for argv in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "seed"]):
        subprocess.run(["git", *argv], cwd=config.root, check=True, capture_output=True)
    before = (config.root / CORE).read_bytes()
    code = cli.main(["migrate", "p0", "--config", str(config.path), "--gates", "unit",
                     "--all-tests"])
    assert code == 2
    assert "baseline on the untouched tree timed out after 2s; nothing was applied" in \
        capsys.readouterr().err
    assert (config.root / CORE).read_bytes() == before
