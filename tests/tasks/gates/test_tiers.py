"""The test-tier gates (unit, integration, mission-critical) on real pytest subprocesses."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from phasegate.errors import MigrationError
from phasegate.gates import ladder as gates
from tests.helpers.gates_repo import CORE, ladder, make_repo, snapshot, write


def test_a_new_unit_failure_blocks_and_names_the_test(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    base = snapshot(config, [CORE], ("unit",))
    assert base.tiers["unit"].failed == frozenset()
    write(config, CORE, "from app.modern import helper\n\n\ndef run():\n    return helper() + 1\n")
    result = ladder(config, [CORE], base, only=["unit"])
    gate = result.results[0]
    assert not result.passed and result.first_failure is gate
    assert gate.summary.startswith("1 new failure(s): 0 passed, 1 failed; 1 of 1 collected"
                                   " test(s) ran; no-new-failures")
    assert "selected 1 of 3 test files" in gate.summary
    assert gate.details[0].startswith("tests.unit.test_core::test_run:")
    assert gate.report is not None and gate.report.endswith("unit.xml")


def test_a_pre_existing_failure_does_not_block_under_no_new_failures(tmp_path: Path) -> None:
    config = make_repo(tmp_path, files={
        "tests/unit/test_core.py": "from app.core import run\n\n\ndef test_run():\n"
                                   "    assert run() == 1\n\n\ndef test_known_bad():\n"
                                   "    assert False, 'broken before the phase'\n"})
    base = snapshot(config, None, ("unit",))  # no changed list: the whole tier
    assert base.tiers["unit"].failed == {"tests.unit.test_core::test_known_bad"}
    write(config, CORE, "from app.modern import helper\n\n\ndef run():\n    return helper()\n\n"
                        "# touched\n")
    gate = ladder(config, [CORE], base, only=["unit"]).results[0]
    assert gate.passed, gate.summary
    assert "1 known from the baseline" in gate.summary


def test_an_integration_new_failure_blocks(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    base = snapshot(config, [CORE], ("integration",))
    write(config, "tests/integration/test_flow.py", "def test_flow():\n    raise RuntimeError"
                                                    "('new')\n")
    gate = ladder(config, [CORE], base, only=["integration"]).results[0]
    assert not gate.passed
    assert gate.details == ["tests.integration.test_flow::test_flow: RuntimeError: new"]


def test_a_failing_mission_critical_test_always_blocks(tmp_path: Path) -> None:
    bad = "def test_money():\n    assert 1 == 2\n"
    config = make_repo(tmp_path, files={"tests/critical/test_money.py": bad})
    base = snapshot(config, [CORE], ("mission-critical",))
    # all-pass needs no failures recorded, only how many tests there are (collect-only)
    assert (base.tiers["mission-critical"].failed, base.tiers["mission-critical"].collected) == \
        (frozenset(), 1)
    gate = ladder(config, [CORE], base, only=["mission-critical"]).results[0]
    assert not gate.passed
    assert gate.summary == ("1 failing test(s): 0 passed, 1 failed; 1 of 1 collected test(s)"
                            " ran; all-pass")


HANG = """\
import os, subprocess, sys, time

def test_hangs():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open(os.environ["HANG_PIDS"], "w") as fh:
        fh.write(f"{os.getpid()} {child.pid}")
    time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_hanging_test_is_killed_with_its_children(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_repo(tmp_path, timeout=2, files={"tests/unit/test_hang.py": HANG})
    pids = tmp_path / "pids"
    monkeypatch.setenv("HANG_PIDS", str(pids))
    start = time.monotonic()
    gate = ladder(config, ["tests/unit/test_hang.py"], gates.Baseline(), only=["unit"],
                  all_tests=True).results[0]
    assert time.monotonic() - start < 15
    assert not gate.passed
    assert gate.summary.startswith("timed out after 2s")
    pytest_pid, child_pid = map(int, pids.read_text().split())
    deadline = time.monotonic() + 5
    while (_alive(pytest_pid) or _alive(child_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pytest_pid) and not _alive(child_pid)


def test_a_baseline_is_reused_for_the_same_tree(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    first = snapshot(config, None, ("unit",))
    again = snapshot(config, None, ("unit",))
    assert not first.tiers["unit"].reused and again.tiers["unit"].reused
    assert again.tiers["unit"].total == 3
    write(config, "src/app/leaf.py", "def leaf():\n    return 3  # edited\n")
    # another tree, another baseline
    assert not snapshot(config, None, ("unit",)).tiers["unit"].reused


@pytest.mark.parametrize(("changed", "all_tests", "selection"), [
    (["src/app/leaf.py"], False, "selected 1 of 3 test files"),
    (["src/app/modern.py"], False, "selected 1 of 3 test files"),  # via app.core
    (["src/app/leaf.py"], True, ""),
])
def test_unit_runs_only_the_affected_test_files(tmp_path: Path, changed: list[str],
                                                all_tests: bool, selection: str) -> None:
    config = make_repo(tmp_path, workers=2)  # also exercises pytest-xdist
    gate = ladder(config, changed, gates.Baseline(), only=["unit"],
                  all_tests=all_tests).results[0]
    assert gate.passed, gate.summary
    passed = 1 if selection else 3
    assert gate.summary.startswith(f"{passed} passed, 0 failed; {passed} of {passed} collected")
    assert gate.summary.endswith(selection or "all-pass (no baseline)")


@pytest.mark.parametrize(("workers", "files", "durations", "expected"), [
    ("auto", ["a", "b"], {}, "0"),  # few files, no record: xdist would cost more
    ("auto", [f"t{i}" for i in range(8)], {}, "auto"),
    ("auto", [f"t{i}" for i in range(20)], {f"t{i}": 0.1 for i in range(20)}, "0"),  # 2 s
    ("auto", ["a", "b"], {"a": 30.0, "b": 30.0}, "auto"),  # recorded as slow
    ("auto", [f"t{i}" for i in range(100)], {"t0": 0.01, "t1": 0.03}, "0"),  # mean 0.02 s x 100
    ("auto", [f"t{i}" for i in range(100)], {"t0": 1.0}, "auto"),  # mean 1 s x 100
    ("3", ["a"], {}, "3"),  # an explicit number is honoured
    ("0", [f"t{i}" for i in range(50)], {}, "0"),
])
def test_auto_workers_use_xdist_only_when_it_pays(workers: str, files: list[str],
                                                  durations: dict[str, float],
                                                  expected: str) -> None:
    from phasegate.gates import tiers as gates_tests

    gate = gates_tests.TierSettings("unit", workers=workers)
    assert gates_tests.workers_for(gate, files, durations) == expected


@pytest.mark.parametrize(("gate", "xdist", "files", "expected_tail"), [
    ({"paths": ("tests/unit",), "workers": "auto"}, True, None, ["-n", "auto", "tests/unit"]),
    ({"paths": ("tests/unit",), "workers": "auto"}, False, None, ["tests/unit"]),  # fallback
    # a selection walks the tier's paths and the plugin keeps only the selected files
    ({"paths": ("t",), "workers": "0"}, True, ["t/test_a.py"], ["t"]),
    ({"workers": "0"}, True, ["b/test_b.py", "a/x/test_a.py", "a/test_c.py"], ["a", "b"]),
    ({"paths": ("t",), "workers": "2", "markers": "not slow", "args": ("-x",)}, True, None,
     ["-n", "2", "t", "-m", "not slow", "-x"]),
])
def test_pytest_argv(monkeypatch: pytest.MonkeyPatch, gate: dict[str, object], xdist: bool,
                     files: list[str] | None, expected_tail: list[str]) -> None:
    import sys

    from phasegate.gates import tiers as gates_tests

    monkeypatch.setattr(gates_tests, "has_xdist", lambda: xdist)
    settings = gates_tests.TierSettings("unit", **gate)  # type: ignore[arg-type]
    argv = gates_tests.pytest_argv(settings, Path("/r/unit.xml"), files)
    assert argv[:12] == [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                         "-p", "_phasegate_select", "-o", "junit_family=xunit1", "--junitxml",
                         "/r/unit.xml", "--continue-on-collection-errors"]
    assert argv[12:] == expected_tail


def test_a_baseline_that_cannot_be_recorded_stops_before_apply(tmp_path: Path) -> None:
    config = make_repo(tmp_path, timeout=2, files={
        "tests/unit/test_hang.py": "import time\n\n\ndef test_hang():\n    time.sleep(60)\n"})
    with pytest.raises(MigrationError) as err:
        snapshot(config, None, ("unit",))
    assert err.value.exit_code == 2  # nothing was applied: not "rolled back" (3)
    assert str(err.value).startswith("gate unit: baseline on the untouched tree timed out after"
                                     " 2s; nothing was applied (see ")


@pytest.mark.parametrize(("all_tests", "total"), [(False, 1), (True, 3)])
def test_the_unit_baseline_covers_what_the_ladder_will_run(tmp_path: Path, all_tests: bool,
                                                          total: int) -> None:
    config = make_repo(tmp_path)
    phase = config.phase("p0")
    from dataclasses import replace

    base = gates.before_apply(config, replace(phase, gates=("unit",)),
                              tmp_path / "state" / "records" / "p0",
                              changed=["src/app/leaf.py"], all_tests=all_tests)
    assert base.tiers["unit"].total == total


def test_the_tree_hash_sees_data_files_but_not_phasegate_state(tmp_path: Path) -> None:
    from dataclasses import replace

    from phasegate.gates import baseline as gates_baseline

    config = make_repo(tmp_path)
    inside = replace(config, state_dir=config.root / ".pg")
    first = gates_baseline.tree_hash(inside)
    write(config, ".pg/records/p0/unit.xml", "<testsuite/>")
    assert gates_baseline.tree_hash(inside) == first  # phasegate's own records do not count
    write(config, "tests/unit/data.json", "{}")
    assert gates_baseline.tree_hash(inside) != first  # a fixture the tests may read does


def test_before_apply_records_only_what_the_selected_gates_need(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    base = gates.before_apply(config, config.phase("p0"), tmp_path / "state" / "records" / "p0",
                              changed=[CORE], only=["syntax", "lint"])
    assert base.tiers == {}  # no test baseline for gates that will not run
    assert base.lint == {} and CORE in base.sources
