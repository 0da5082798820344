"""`phasegate migrate` / `rollback` / `recover` through the CLI, in-process, on the tiny repo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tomlkit

from phasegate import cli, journal
from phasegate.gates import ladder as gates
from phasegate.gates.results import GateResult, LadderResult
from tests.helpers.journal_repo import RETURN_OUTSIDE, git, make_plan, make_repo, snapshot


def run(config_path: Path, *argv: str) -> int:
    return cli.main([*argv, "--config", str(config_path)])


def status_of(config_path: Path, phase: str) -> str:
    doc = tomlkit.parse(config_path.read_text())
    return str(doc["status"][phase]["status"])  # type: ignore[index]


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    before = snapshot(config.root)
    assert run(config.path, "migrate", "p0", "--dry-run") == 1
    out = capsys.readouterr().out
    assert "+from app.modern import helper" in out
    assert out.rstrip().endswith("nothing was written")
    assert snapshot(config.root) == before
    assert journal.committed_phases(config) == []


def test_migrate_commits_and_records_the_status(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    assert run(config.path, "migrate", "p0") == 0
    out = capsys.readouterr().out
    assert out.startswith("PASS syntax")
    assert "phase p0: committed 6 file(s)" in out
    assert status_of(config.path, "p0") == "complete"
    assert journal.committed_phases(config) == ["p0"]


def test_dirty_file_refused_by_name_unless_allow_dirty(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    (config.root / "src/app/lf.py").write_bytes(b"from app.legacy import helper  # wip\n")
    before = snapshot(config.root)
    assert run(config.path, "migrate", "p0") == 2
    err = capsys.readouterr().err
    assert err == ("phasegate: error: uncommitted changes in git: src/app/lf.py; commit or stash"
                   " them, or pass --allow-dirty (nothing was written)\n")
    assert snapshot(config.root) == before
    assert run(config.path, "migrate", "p0", "--allow-dirty") == 0
    assert (config.root / "src/app/lf.py").read_bytes() == b"from app.modern import helper  # wip\n"


def test_unknown_gate_is_refused_before_apply(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    before = snapshot(config.root)
    assert run(config.path, "migrate", "p0", "--gates", "syntax,lnt") == 2
    assert "--gates: unknown gate 'lnt'" in capsys.readouterr().err
    assert snapshot(config.root) == before


def test_failing_gate_rolls_back_with_exit_3(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    (config.root / "src/app/bad.py").write_bytes(RETURN_OUTSIDE)
    git(config.root, "add", "-A")
    git(config.root, "commit", "-qm", "bad")
    before = snapshot(config.root)
    assert run(config.path, "migrate", "p0") == 3
    out = capsys.readouterr().out
    assert "FAIL syntax" in out
    assert "  src/app/bad.py:3:5: 'return' outside function" in out
    assert "verified 7 files: sha256 and mode match the pre-images" in out
    assert "phase p0: gate syntax failed; the phase was rolled back (gate reports: " in out
    assert snapshot(config.root) == before
    assert status_of(config.path, "p0") == "rolled-back"


def test_interrupt_during_the_gates_rolls_back(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_repo(tmp_path)
    before = snapshot(config.root)

    def interrupted(*args: Any, **kwargs: Any) -> LadderResult:
        raise KeyboardInterrupt

    monkeypatch.setattr(gates, "run_ladder", interrupted)
    assert run(config.path, "migrate", "p0") == 130
    assert snapshot(config.root) == before
    assert journal.recover(config) == []


def test_gate_that_modifies_a_file_fails_the_phase(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)

    def writes(*args: Any, **kwargs: Any) -> LadderResult:
        (config.root / "src/app/lf.py").write_bytes(b"# rewritten by a gate\n")
        return LadderResult([GateResult("syntax", True, 0.0, "ok")])

    monkeypatch.setattr(gates, "run_ladder", writes)
    assert run(config.path, "migrate", "p0") == 4
    out = capsys.readouterr().out
    assert "a gate modified src/app/lf.py after apply; the phase was rolled back" in out
    assert "conflict: src/app/lf.py: changed since the migration" in out
    assert (config.root / "src/app/lf.py").read_bytes() == b"# rewritten by a gate\n"
    assert journal.committed_phases(config) == ["p0"]  # still to settle: rollback once resolved


def test_migrate_recovers_a_crashed_run_first(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    journal.apply(config, "p0", make_plan(config))  # a run that died before committing
    assert run(config.path, "migrate", "p0") == 0
    err = capsys.readouterr().err
    assert "recovered: phase p0 was left half-applied by an interrupted run (0001-p0)" in err
    assert journal.committed_phases(config) == ["p0"]


def test_recover_command_with_nothing_to_do(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    assert run(config.path, "recover") == 0
    assert capsys.readouterr().out == "nothing to recover: no phase was left half-applied\n"


def test_rollback_conflict_exit_4_prints_copies(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    assert run(config.path, "migrate", "p0") == 0
    (config.root / "src/app/crlf.py").write_bytes(b"# mine\r\n")
    capsys.readouterr()
    assert run(config.path, "rollback", "p0") == 4
    out = capsys.readouterr().out
    assert "conflict: src/app/crlf.py: changed since the migration" in out
    for kind in ("pre", "post", "current"):
        line = next(ln for ln in out.splitlines() if ln.startswith(f"  {kind}: "))
        assert Path(line.split(": ", 1)[1]).is_file()
    assert (config.root / "src/app/crlf.py").read_bytes() == b"# mine\r\n"


def test_gate_options_reach_the_ladder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    seen: dict[str, Any] = {}

    def ladder(*args: Any, **kwargs: Any) -> LadderResult:
        seen.update(kwargs, changed=args[2])
        return LadderResult([GateResult("syntax", True, 0.25, "fine")])

    monkeypatch.setattr(gates, "run_ladder", ladder)
    assert run(config.path, "migrate", "p0", "--gates", " syntax,", "--keep-going",
               "--all-tests") == 0
    assert seen["only"] == ("syntax",)
    assert seen["keep_going"] is True and seen["all_tests"] is True
    assert seen["changed"] == ["src/app/bom.py", "src/app/crlf.py", "src/app/latin1.py",
                               "src/app/lf.py", "src/app/nonl.py", "src/app/tool.py"]
    assert "PASS syntax             0.25s  fine" in capsys.readouterr().out

