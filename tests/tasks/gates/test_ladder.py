"""The gate ladder on a real tiny repo: each gate fails for its own reason, on real subprocesses."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from phasegate.errors import MigrationError
from phasegate.gates import ladder as gates
from tests.helpers.gates_repo import CORE, ladder, make_repo, snapshot, write


@pytest.mark.parametrize(("source", "python", "ok"), [
    ("x = 1\n", "3.11", True),
    ("def f(:\n    pass\n", "3.11", False),
    ("def f():\n    return 1\nreturn 2\n", "3.11", False),  # only compile() catches this
    ("match x:\n    case 1:\n        pass\n", "3.9", False),  # grammar of the configured Python
    ("match x:\n    case 1:\n        pass\n", "3.10", True),
])
def test_syntax_gate_compiles_for_the_configured_python(
        tmp_path: Path, source: str, python: str, ok: bool) -> None:
    config = make_repo(tmp_path)
    write(config, CORE, source)
    result = ladder(replace(config, python=python), [CORE], gates.Baseline(), only=["syntax"])
    gate = result.results[0]
    assert (gate.name, gate.passed) == ("syntax", ok)
    if not ok:
        assert gate.details[0].startswith(f"{CORE}:")
        assert "do not compile" in gate.summary


def test_lint_fails_on_a_new_diagnostic_only(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    other = "src/app/other.py"  # has a pre-existing unused `import os`
    base = snapshot(config, [CORE, other], ("lint",))
    write(config, other, "# moved down\n\nimport os\n\n\ndef other():\n    return 2\n")
    assert ladder(config, [CORE, other], base, only=["lint"]).passed
    write(config, CORE, "import sys\nfrom app.modern import helper\n\n\ndef run():\n"
                        "    return undefined_name + helper()\n")
    gate = ladder(config, [CORE, other], base, only=["lint"]).results[0]
    assert not gate.passed
    assert gate.summary.startswith("2 new diagnostic(s)")
    assert gate.details == [f"{CORE}:1:8: F401 `sys` imported but unused",
                            f"{CORE}:6:12: F821 Undefined name `undefined_name`"]


@pytest.mark.parametrize(("added", "problem"), [
    ("from app.other import other", ""),
    ("from app import modern", ""),  # a submodule
    ("from os.path import join", ""),  # the environment
    ("import json.decoder", ""),
    ("from app.modern import nothere", "'nothere' is not defined in src/app/modern.py"),
    ("import app.nomodule", "no module named 'app.nomodule'"),
    ("from collections import NoSuchThing", "'NoSuchThing' is not defined in collections"),
    ("import no_such_top_level_module", "no module named 'no_such_top_level_module'"),
    ("import app.ns.deep", ""),  # a namespace package (no __init__.py) of the repo
    ("from app.ns import nothing", "'nothing' is not a module of the namespace package 'app.ns'"),
])
def test_imports_gate_checks_every_added_import(tmp_path: Path, added: str, problem: str) -> None:
    config = make_repo(tmp_path, files={"src/app/ns/deep.py": "X = 1\n"})
    base = snapshot(config, [CORE], ("imports",))
    write(config, CORE, f"from app.modern import helper\n{added}\n\n\ndef run():\n"
                        "    return helper()\n")
    gate = ladder(config, [CORE], base, only=["imports"]).results[0]
    assert gate.passed == (not problem), gate.details
    assert "1 added import(s)" in gate.summary
    if problem:
        assert gate.details == [f"unresolved: {CORE}: {added}: {problem}"]


def test_imports_gate_fails_when_a_fixable_violation_remains(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    base = snapshot(config, [CORE], ("imports",))
    write(config, CORE, "from app.legacy import helper\n\n\ndef run():\n    return helper()\n")
    gate = ladder(config, [CORE], base, only=["imports"]).results[0]
    assert not gate.passed
    assert gate.summary.startswith("1 fixable left")
    assert gate.details[0].startswith(f"left: {CORE}:1:")


@dataclass(frozen=True)
class Site:
    rule: str
    path: str
    line: int
    col: int
    kind: str
    reason: str


@pytest.mark.parametrize(("allow", "passed"), [("", False), ("allow_manual = true", True)])
def test_manual_sites_block_unless_the_phase_allows_them(
        tmp_path: Path, allow: str, passed: bool) -> None:
    config = make_repo(tmp_path, phase_extra=allow)
    site = Site("old-helper", CORE, 3, 5, "call", "dynamic getattr")
    gate = ladder(config, [CORE], gates.Baseline(), only=["imports"],
                  manual_sites=[site]).results[0]
    assert gate.passed == passed
    assert f"{CORE}:3:5: old-helper: manual: dynamic getattr" in gate.details
    assert "1 manual site(s)" in gate.summary


def test_the_ladder_stops_at_the_first_failure_unless_keep_going(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    write(config, CORE, "def run(:\n")
    stopped = ladder(config, [CORE], gates.Baseline(), only=["syntax", "lint"])
    assert [r.name for r in stopped.results] == ["syntax"]
    full = ladder(config, [CORE], gates.Baseline(), only=["syntax", "lint"], keep_going=True)
    assert [(r.name, r.passed) for r in full.results] == [("syntax", False), ("lint", False)]
    lines = gates.format_ladder(full)
    assert lines[0].startswith("FAIL syntax") and lines[1].startswith(f"  {CORE}:1:")


def test_an_unknown_gate_name_is_a_usage_error(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    with pytest.raises(MigrationError) as err:
        ladder(config, [CORE], gates.Baseline(), only=["unti"])
    assert err.value.exit_code == 2
    assert str(err.value).startswith("--gates: unknown gate 'unti'")


def test_environment_of_the_tests_is_not_an_xdist_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    from phasegate.gates import tiers as gates_tests

    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    assert "PYTEST_XDIST_WORKER" not in gates_tests.base_env()
    assert gates_tests.base_env().get("PATH") == os.environ.get("PATH")


@pytest.mark.parametrize("python", ["3.11", "3.99"])
def test_the_syntax_interpreter_falls_back_to_this_one(python: str) -> None:
    import sys

    from phasegate.gates import static as gates_static

    if python == "3.11" and sys.version_info[:2] != (3, 11):
        pytest.skip("only meaningful on 3.11")
    assert gates_static.interpreter(python) == sys.executable  # no python3.99 anywhere


@pytest.mark.parametrize(("count", "tail"), [
    (0, []), (20, ["d19"]), (25, ["d19", "... and 5 more"])])
def test_details_are_capped_with_a_count(count: int, tail: list[str]) -> None:
    from phasegate.gates.static import cap

    capped = cap([f"d{i}" for i in range(count)])
    assert len(capped) == min(count, 20) + (count > 20)
    assert (capped[-len(tail):] if tail else capped) == tail


def test_format_ladder_lists_manual_sites_even_when_the_gate_passes() -> None:
    passed = gates.GateResult("imports", True, 0.1, "1 manual site(s) (allowed)",
                              ["a.py:1:1: r: manual: why"], None)
    failed = gates.GateResult("unit", False, 1.0, "1 new failure(s)", ["t::x: boom"], "/r/u.xml")
    lines = gates.format_ladder(gates.LadderResult([passed, failed]))
    assert lines == [passed.line(), "  a.py:1:1: r: manual: why", failed.line(), "  t::x: boom",
                     "  full report: /r/u.xml"]
    assert lines[0] == "PASS imports            0.10s  1 manual site(s) (allowed)"
