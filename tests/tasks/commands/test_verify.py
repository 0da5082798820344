"""`phasegate verify`: the tiers on the tree as it is; shards 1..N run every test exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate import cli
from phasegate.gates import junit as gates_junit
from tests.helpers.gates_repo import make_repo

UNIT_FILES = {f"tests/unit/test_mod{i}.py":
              f"def test_a{i}():\n    pass\n\n\ndef test_b{i}():\n    assert {i} >= 0\n"
              for i in range(7)}
ALL_UNIT_IDS = {f"tests.unit.test_mod{i}::test_{x}{i}" for i in range(7) for x in "ab"} | {
    "tests.unit.test_core::test_run", "tests.unit.test_other::test_other",
    "tests.unit.test_leaf::test_leaf"}


def verify(config_path: Path, *args: str) -> int:
    return cli.main(["verify", "--config", str(config_path), *args])


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_shards_together_run_every_test_exactly_once(tmp_path: Path, n: int) -> None:
    config = make_repo(tmp_path, files=UNIT_FILES)
    seen: list[str] = []
    for k in range(1, n + 1):
        out = tmp_path / f"junit{k}"
        assert verify(config.path, "--tier", "unit", "--shard", f"{k}/{n}",
                      "--junit-dir", str(out)) == 0
        report = out / f"unit-shard{k}of{n}.xml"
        if report.is_file():  # an empty shard runs nothing
            rep = gates_junit.parse(report)
            seen += sorted(rep.passed | set(rep.failed))
    assert sorted(seen) == sorted(ALL_UNIT_IDS)  # nothing twice, nothing missing


def test_verify_prints_each_tier_and_exits_3_on_a_failure(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path, files={"tests/critical/test_money.py":
                                        "def test_money():\n    assert 0, 'lost'\n"})
    code = verify(config.path, "--junit-dir", str(tmp_path / "j"))
    out = capsys.readouterr().out.splitlines()
    assert code == 3
    assert [ln.split()[:2] for ln in out if ln.startswith(("PASS", "FAIL"))] == [
        ["PASS", "unit"], ["PASS", "integration"], ["FAIL", "mission-critical"]]
    assert "  tests.critical.test_money::test_money: AssertionError: lost" in out
    assert out[-2] == f"JUnit reports: {tmp_path / 'j'}"
    assert out[-1].startswith("verify: 2 of 3 tier(s) passed in ")
    assert out[-1].endswith("; failed: mission-critical")
    assert (tmp_path / "j" / "mission-critical.xml").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["--shard", "5/4"], "phasegate: error: --shard: '5/4' needs 1 <= K <= N"),
    (["--shard", "x"], "phasegate: error: --shard: 'x' is not K/N (for example 2/4)"),
])
def test_bad_arguments_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              args: list[str], message: str) -> None:
    config = make_repo(tmp_path)
    assert verify(config.path, *args) == 2
    assert capsys.readouterr().err.strip() == message


def test_an_unconfigured_tier_is_a_usage_error(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    text = config.path.read_text().split("[gates.integration]")[0]
    config.path.write_text(text)
    assert verify(config.path, "--tier", "integration") == 2
    assert capsys.readouterr().err.strip() == (
        "phasegate: error: --tier integration: no [gates.integration] in phases.toml")


def test_shards_balance_by_recorded_durations(tmp_path: Path) -> None:
    from phasegate.commands import verify as verify_cmd

    config = make_repo(tmp_path, files=UNIT_FILES)
    durations_dir = tmp_path / "previous"
    durations_dir.mkdir()
    cases = "".join(f'<testcase classname="tests.unit.test_mod{i}" name="t" '
                    f'file="tests/unit/test_mod{i}.py" time="{10 if i == 0 else 1}"/>'
                    for i in range(7))
    (durations_dir / "unit.xml").write_text(f"<testsuite>{cases}</testsuite>")
    known = verify_cmd.known_durations(config, tmp_path / "none", [str(durations_dir)])
    assert known["tests/unit/test_mod0.py"] == 10.0
    assert verify(config.path, "--tier", "unit", "--shard", "1/2", "--junit-dir",
                  str(tmp_path / "o"), "--durations-from", str(durations_dir)) == 0
    rep = gates_junit.parse(tmp_path / "o" / "unit-shard1of2.xml")
    # the 10 s file is heaviest: it goes first into shard 1, the 1 s files fill shard 2
    assert "tests.unit.test_mod0::test_a0" in rep.passed
    assert not any(t.startswith("tests.unit.test_mod1::") for t in rep.passed)


def test_shards_run_one_after_another_in_one_junit_dir_still_cover_everything(
        tmp_path: Path) -> None:
    config = make_repo(tmp_path, files=UNIT_FILES)
    out = tmp_path / "same"
    seen: list[str] = []
    for k in (1, 2, 3):
        assert verify(config.path, "--tier", "unit", "--shard", f"{k}/3",
                      "--junit-dir", str(out)) == 0
        rep = gates_junit.parse(out / f"unit-shard{k}of3.xml")
        seen += sorted(rep.passed)
    assert sorted(seen) == sorted(ALL_UNIT_IDS)


def test_verify_rolls_back_a_half_applied_phase_first(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from phasegate import journal
    from phasegate.plan import FilePlan

    config = make_repo(tmp_path)
    core = config.root / "src/app/core.py"
    before = core.read_bytes()
    broken = before.replace(b"return helper()", b"return helper() + 1")
    journal.apply(config, "p0", [FilePlan("src/app/core.py", before, broken)], allow_dirty=True)
    assert core.read_bytes() == broken  # applied, never committed: as after a crash
    assert verify(config.path, "--tier", "unit", "--junit-dir", str(tmp_path / "j")) == 0
    assert core.read_bytes() == before
    assert "p0" in capsys.readouterr().err  # recovery says what it rolled back
