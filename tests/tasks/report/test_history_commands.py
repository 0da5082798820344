"""The commands that add to the history: a whole-project detect, migrate (committed or rolled
back), rollback; and ``status --history`` that prints it. In-process, on the tiny repo."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate import cli
from phasegate.report import history
from phasegate.statedir import state_dir
from tests.helpers.journal_repo import RETURN_OUTSIDE, git, make_repo


@pytest.fixture(autouse=True)
def no_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    # a replayed detect appends nothing (it repeats a run that did); these tests count runs
    monkeypatch.setenv("PHASEGATE_NO_REPLAY", "1")
    monkeypatch.setenv("CI", "1")


def run(config_path: Path, *argv: str) -> int:
    return cli.main([*argv, "--config", str(config_path)])


def events(path: Path) -> list[tuple[str, str | None, str]]:
    records, warnings = history.load(path)
    assert warnings == []
    return [(r.event, r.phase, r.note) for r in records]


def test_detect_migrate_rollback_each_append_one_record(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    path = state_dir(config) / "history.jsonl"
    head = git(config.root, "rev-parse", "HEAD").strip()
    assert run(config.path, "detect", "--format", "json") == 1
    assert run(config.path, "detect", "--phase", "p0", "--format", "json") == 1  # not whole
    assert run(config.path, "migrate", "p0") == 0
    assert run(config.path, "detect", "--format", "json") == 1
    assert run(config.path, "rollback", "p0") == 0
    capsys.readouterr()
    assert events(path) == [("detect", None, ""), ("migrated", "p0", ""),
                            ("detect", None, ""), ("rolled-back", "p0", "")]
    records = history.load(path)[0]
    assert [r.total("p0") for r in records] == [(6, 0), (0, 0), (0, 0), (6, 0)]
    assert [r.total("p1") for r in records] == [(1, 0)] * 4
    assert [r.files.get("p0", 0) for r in records] == [6, 0, 0, 6]
    assert [r.status.get("p0") for r in records] == [None, "complete", "complete",
                                                     "rolled-back"]
    assert {r.commit for r in records} == {head}


def test_failed_gate_appends_a_rolled_back_record_with_the_reason(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    (config.root / "src/app/bad.py").write_bytes(RETURN_OUTSIDE)
    git(config.root, "add", "-A")
    git(config.root, "commit", "-qm", "bad")
    assert run(config.path, "migrate", "p0") == 3
    assert events(state_dir(config) / "history.jsonl") == [
        ("rolled-back", "p0", "gate syntax failed")]


def test_history_file_keeps_the_history_where_ci_asks(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    kept = config.root / "docs" / "history.jsonl"
    assert run(config.path, "detect", "--history-file", str(kept), "--format", "json") == 1
    assert run(config.path, "detect", "--history-file", str(kept), "--format", "json") == 1
    assert events(kept) == [("detect", None, "")] * 2
    assert not (state_dir(config) / "history.jsonl").exists()


def test_status_history_prints_one_line_per_record(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    assert run(config.path, "status", "--history") == 0
    path = state_dir(config) / "history.jsonl"
    assert capsys.readouterr().out == (
        f"no history yet in {path} (every whole-project detect adds a record)\n")
    assert run(config.path, "detect", "--format", "json") == 1
    assert run(config.path, "migrate", "p0") == 0
    capsys.readouterr()
    assert run(config.path, "status", "--history") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Time", "Commit", "Event", "p0", "p1"]
    assert lines[2].split()[2:] == ["detect", "6+0", "(6)", "1+0", "(1)"]
    assert lines[3].split()[2:] == ["p0", "migrated", "0+0", "(0)", "1+0", "(1)"]
    assert lines[-1] == (f"2 record(s) in {path}; per phase: fixable+manual (files pending)")


def test_status_history_is_text_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_repo(tmp_path)
    assert run(config.path, "status", "--history", "--format", "markdown") == 2
    assert capsys.readouterr().err == (
        "phasegate: error: --history prints text, not markdown (the html page charts the "
        "history)\n")
