"""The tier policies on real pytest subprocesses: pass rate, consistency runs, flaky tests,
fixed tests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate import state
from phasegate.config import Config
from tests.helpers.gates_repo import CORE, ladder, make_repo, snapshot, write

RATE_TESTS = "".join(f"def test_{i}():\n    import app.rate\n    assert {i} < app.rate.GOOD\n\n\n"
                     for i in range(10))


def with_unit(config: Config, table: str) -> Config:
    """The repo's [gates.unit] with more keys; reloaded, so they are validated."""
    text = config.path.read_text().replace('paths = ["tests/unit"]',
                                           f'paths = ["tests/unit"]\n{table}')
    config.path.write_text(text)
    return config_mod.load(config.path)[0]


@pytest.mark.parametrize(("good", "passed", "rate"), [(9, True, "90.0%"), (8, False, "80.0%")])
def test_pass_rate_above_and_below_the_threshold(tmp_path: Path, good: int, passed: bool,
                                                 rate: str) -> None:
    config = make_repo(tmp_path, files={"src/app/rate.py": "GOOD = 5\n",
                                        "tests/unit/test_rate.py": RATE_TESTS})
    config = with_unit(config, 'policy = "pass-rate"\nmin_pass_rate = 0.9\nstop_after = 0')
    base = snapshot(config, None, ("unit",))
    assert base.tiers["unit"].rate == pytest.approx(8 / 13)  # 5 of 10, and the 3 others pass
    write(config, "src/app/rate.py", f"GOOD = {good}\n")
    gate = ladder(config, ["src/app/rate.py"], base, only=["unit"], all_tests=True).results[0]
    assert gate.passed == passed, gate.summary
    total = f"{good + 3} passed, {10 - good} failed, {good - 5} fixed"
    head = "" if passed else "pass rate below the minimum: "
    assert gate.summary == (f"{head}{total}; 13 of 13 collected test(s) ran; pass-rate"
                            f" {float(rate[:-1]) * 0 + (good + 3) / 13:.1%} (min 90%;"
                            " 61.5% before)")
    assert gate.facts["pass_rate_before"] == pytest.approx(0.6154)
    assert gate.facts["pass_rate"] == pytest.approx((good + 3) / 13, abs=1e-4)


def test_pass_rate_stops_once_the_rate_cannot_be_met(tmp_path: Path) -> None:
    config = make_repo(tmp_path, files={"src/app/rate.py": "GOOD = 10\n",
                                        "tests/unit/test_rate.py": RATE_TESTS})
    config = with_unit(config, 'policy = "pass-rate"\nmin_pass_rate = 0.9\nreruns = 0')
    base = snapshot(config, None, ("unit",))
    write(config, "src/app/rate.py", "GOOD = 0\n")  # every rate test fails
    gate = ladder(config, ["src/app/rate.py"], base, only=["unit"], all_tests=True).results[0]
    assert not gate.passed
    # 13 tests, 90%: a second failure decides it (the 3 other unit tests run first)
    assert "3 passed, 2 failed; 5 of 13 collected test(s) ran;" in gate.summary


# a test that fails one run in three: run 1 (the baseline) passes, run 2 fails, run 3 passes
COUNTED = """\
import os
from pathlib import Path


def test_send_after_close():
    counter = Path(os.environ["COUNTER"])
    n = int(counter.read_text() or 0) + 1 if counter.exists() else 1
    counter.write_text(str(n))
    assert n % 3 != 2, f"race lost on run {n}"
"""


def flaky_repo(tmp_path: Path, table: str) -> Config:
    config = make_repo(tmp_path, files={"tests/unit/test_race.py": COUNTED})
    return with_unit(config, f'env = {{ COUNTER = "{tmp_path / "counter"}" }}\n{table}')


def test_a_one_in_three_failure_is_caught_by_a_consistency_run(tmp_path: Path) -> None:
    config = flaky_repo(tmp_path, "repeat = 3\nconsistent = true")
    base = snapshot(config, None, ("unit",))
    gate = ladder(config, [CORE], base, only=["unit"], all_tests=True).results[0]
    assert not gate.passed
    assert gate.summary == ("1 test(s) not consistent over 3 runs: 4 passed, 0 failed; 4 of 4"
                            " collected test(s) ran x3; no-new-failures")
    assert "inconsistent: tests.unit.test_race::test_send_after_close: passed 2 of 3 runs" in \
        gate.details


@pytest.mark.parametrize(("flaky", "passed"), [("", True), ('flaky = "fail"', False)])
def test_a_failure_that_passes_on_a_rerun_is_flaky(tmp_path: Path, flaky: str,
                                                   passed: bool) -> None:
    config = flaky_repo(tmp_path, f"reruns = 1\n{flaky}")
    base = snapshot(config, None, ("unit",))
    gate = ladder(config, [CORE], base, only=["unit"], all_tests=True).results[0]
    assert gate.passed == passed, gate.summary
    assert "3 passed, 0 failed, 1 flaky; 4 of 4 collected test(s) ran" in gate.summary
    test = "tests.unit.test_race::test_send_after_close"
    assert f"flaky: {test}: failed (AssertionError: race lost on run 2), then passed on re-run" \
           " 1" in gate.details
    assert gate.facts["flaky"] == [test]
    case = next(c for c in ET.parse(gate.report or "").getroot().iter("testcase")
                if c.get("name") == "test_send_after_close")
    assert case.find("failure") is None and case.find("flakyFailure") is not None


def test_without_reruns_the_flaky_failure_blocks(tmp_path: Path) -> None:
    config = flaky_repo(tmp_path, "reruns = 0")
    base = snapshot(config, None, ("unit",))
    gate = ladder(config, [CORE], base, only=["unit"], all_tests=True).results[0]
    assert not gate.passed
    assert gate.summary.startswith("1 new failure(s): 3 passed, 1 failed;")


def test_a_fixed_pre_existing_failure_is_reported(tmp_path: Path) -> None:
    config = make_repo(tmp_path, files={
        "tests/unit/test_fix.py": "import app.core\n\n\ndef test_fixed():\n"
                                  "    assert getattr(app.core, 'FIXED', False)\n"})
    base = snapshot(config, None, ("unit",))
    assert base.tiers["unit"].failed == {"tests.unit.test_fix::test_fixed"}
    write(config, CORE, "from app.modern import helper\n\nFIXED = True\n\n\ndef run():\n"
                        "    return helper()\n")
    gate = ladder(config, [CORE], base, only=["unit"], all_tests=True).results[0]
    assert gate.passed, gate.summary
    assert "4 passed, 0 failed, 1 fixed" in gate.summary
    assert gate.details == ["fixed: tests.unit.test_fix::test_fixed (failed before the phase,"
                            " passes now)"]
    assert gate.facts["fixed"] == ["tests.unit.test_fix::test_fixed"]


def test_rates_flaky_and_fixed_tests_reach_the_tracker(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    row = {"name": "integration", "passed": True, "duration": 1.0, "summary": "s",
           "facts": {"pass_rate": 0.92, "pass_rate_before": 0.5, "flaky": ["t::a"],
                     "fixed": []}}
    state.record_phase(config, "p0", status="complete", gates=[row])
    recorded = state.read_status(config)["p0"]["gates"]["integration"]
    assert recorded == {"result": "pass", "duration": 1.0, "summary": "s", "pass_rate": 0.92,
                        "pass_rate_before": 0.5, "flaky": ["t::a"]}


@pytest.mark.parametrize(("table", "message"), [
    ('policy = "pass-rate"', 'phases.toml:16: gates.unit.min_pass_rate: missing (required with'
     ' policy = "pass-rate")'),
    ('min_pass_rate = 0.9', 'phases.toml:18: gates.unit.min_pass_rate: only means something'
     ' with policy = "pass-rate"'),
    ('policy = "pass-rate"\nmin_pass_rate = 90', "phases.toml:19: gates.unit.min_pass_rate:"
     " must be a rate in (0, 1] such as 0.9, got 90"),
    ('consistent = true', "phases.toml:18: gates.unit.consistent: needs repeat = 2 or more"
     " (how many runs must agree)"),
    ('repeat = 0', "phases.toml:18: gates.unit.repeat: must be a whole number >= 1, got 0"),
    ('flaky = "ignore"', "phases.toml:18: gates.unit.flaky: unknown value 'ignore' (one of"
     " report, fail)"),
    ('env = { FAST = 1 }', "phases.toml:18: gates.unit.env.FAST: must be a string, got an"
     " integer"),
    ('rerun = 2', "phases.toml:18: gates.unit.rerun: unknown key 'rerun' (did you mean"
     " 'reruns'?)"),
])
def test_bad_policy_settings_name_their_key(tmp_path: Path, table: str, message: str) -> None:
    from phasegate.errors import MigrationError

    config = make_repo(tmp_path)
    text = config.path.read_text().replace('paths = ["tests/unit"]',
                                           f'paths = ["tests/unit"]\n{table}')
    config.path.write_text(text)
    with pytest.raises(MigrationError) as err:
        config_mod.load(config.path)
    assert str(err.value) == message


@pytest.mark.parametrize(("policy", "extra"), [("pass-rate", {"min_pass_rate": 0.9}),
                                               ("all-pass", {})])
def test_an_allowed_empty_run_passes_under_every_policy(policy: str,
                                                        extra: dict[str, float]) -> None:
    """allow_empty = true: a tier that ran nothing passes and says so, also under pass-rate
    (whose rate of nothing is no rate, not 0%)."""
    from phasegate.gates.junit import JUnitReport
    from phasegate.gates.policy import Evidence, evaluate
    from phasegate.gates.runner import Outcome
    from phasegate.gates.tiers import TierRun, TierSettings

    nothing = TierRun(Outcome(("pytest",), 5, 0.1, False, Path("x.log")), Path("x.xml"),
                      JUnitReport(), {"collected": 0})
    gate = TierSettings(name="unit", policy=policy, allow_empty=True, **extra)  # type: ignore[arg-type]
    result = evaluate("unit", gate, Evidence([nothing]), None)
    assert result.passed, result.summary
    assert result.summary.startswith("ran nothing (allow_empty = true): 0 passed, 0 failed")


def test_tests_that_ran_before_and_are_skipped_after_block() -> None:
    """A phase that breaks what a skipif/importorskip checks makes tests skip: the collected
    count stays, but tests that ran on the untouched tree do not run; not a pass."""
    from phasegate.gates.junit import JUnitReport
    from phasegate.gates.policy import Evidence, evaluate
    from phasegate.gates.results import TierBaseline
    from phasegate.gates.runner import Outcome
    from phasegate.gates.tiers import TierRun, TierSettings

    skipped = TierRun(Outcome(("pytest",), 0, 0.1, False, Path("x.log")), Path("x.xml"),
                      JUnitReport(passed={"t::c"}, skipped={"t::a", "t::b"}), {"collected": 3})
    before = TierBaseline("unit", "k", frozenset(), 3, passed=3, collected=3)
    result = evaluate("unit", TierSettings(name="unit"), Evidence([skipped]), before)
    assert not result.passed
    assert result.summary.startswith("2 test(s) that ran before the phase were skipped after it:")
    unknown = TierBaseline("unit", "k", frozenset(), 3, passed=3, collected=None)  # another
    assert evaluate("unit", TierSettings(name="unit"), Evidence([skipped]), unknown).passed
