"""`phasegate status` and tasks.tracker: per phase status, counts, gates, files pending/done."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from phasegate import cli, state
from phasegate import config as config_mod
from phasegate.model import DetectResult, Violation
from phasegate.report import tracker

CONFIG = """\
# a small project for the tracker
[project]
root = "src"

[rules.old-make]
kind = "move"
old = "pkg.old.make"
new = "pkg.new.make"

[phases.p0]
title = "Golden Path"
files = ["app/e2e/**"]
rules = ["old-make"]
gates = ["syntax", "lint"]

[phases.p1]
files = ["app/**"]
rules = ["old-make"]
gates = ["syntax"]
"""
SOURCES = {
    "app/e2e/a.py": "from pkg.old import make\n\nmake()\n",
    "app/e2e/b.py": "import os\n",
    "app/c.py": "from pkg.old import make\nfrom pkg.old import make as m2\n",
    "app/d.py": "x = 1\n",
}


@pytest.fixture()
def project(tmp_path: Path) -> config_mod.Config:
    for rel, text in SOURCES.items():
        (tmp_path / "src" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / rel).write_text(text)
    (tmp_path / "state").mkdir()
    text = CONFIG.replace('root = "src"', 'root = "src"\nstate_dir = "state"')
    (tmp_path / "phases.toml").write_text(text)
    return config_mod.load(tmp_path / "phases.toml")[0]


def _v(path: str, phase: str) -> Violation:
    return Violation(path, 1, 1, "old-make", "import", "pkg.old.make", phase)


ROW_CASES: list[tuple[str, dict[str, Any], list[Violation], dict[str, Any]]] = [
    ("never recorded: pending, no before, every violating file pending",
     {}, [_v("app/e2e/a.py", "p0"), _v("app/e2e/a.py", "p0")],
     {"status": "pending", "before": None, "now": 2, "pending": (("app/e2e/a.py", 2),),
      "done": (), "gates": "not run"}),
    ("complete: changed files are done, gates with durations",
     {"status": "complete", "violations_before": 3, "violations_after": 0,
      "files_done": ["app/e2e/a.py", "app/e2e/b.py"],
      "gates": {"syntax": {"result": "pass", "duration": 0.5},
                "lint": {"result": "pass", "duration": 1.25, "summary": "clean"}}},
     [], {"status": "complete", "before": 3, "now": 0, "pending": (),
          "done": ("app/e2e/a.py", "app/e2e/b.py"),
          "gates": "2 pass in 1.75s"}),
    ("a done file that regressed is pending again, not done",
     {"status": "complete", "files_done": ["app/e2e/a.py", "app/e2e/b.py"]},
     [_v("app/e2e/a.py", "p0")],
     {"status": "complete", "now": 1, "pending": (("app/e2e/a.py", 1),),
      "done": ("app/e2e/b.py",)}),
    ("recorded pending file with no violation left counts as done",
     {"status": "rolled-back", "files_pending": ["app/e2e/b.py"],
      "gates": {"lint": {"result": "fail", "duration": 2}}},
     [], {"status": "rolled-back", "done": ("app/e2e/b.py",),
          "gates": "0 pass, 1 fail (lint) in 2.00s"}),
]


@pytest.mark.parametrize("recorded,violations,expected",
                         [c[1:] for c in ROW_CASES], ids=[c[0] for c in ROW_CASES])
def test_build_rows(project: config_mod.Config, recorded: dict[str, Any],
                    violations: list[Violation], expected: dict[str, Any]) -> None:
    rows = tracker.build(project, DetectResult(violations=violations), {"p0": recorded})
    assert [r.id for r in rows] == ["p0", "p1"]
    row = rows[0]
    got = {"status": row.status, "before": row.before, "now": row.now, "pending": row.pending,
           "done": row.done, "gates": tracker.gate_cell(row.gates)}
    assert {k: got[k] for k in expected} == expected
    assert [g.name for g in row.gates] == ["syntax", "lint"]  # the phase's ladder, in order


def test_unassigned_row_only_when_needed(project: config_mod.Config) -> None:
    rows = tracker.build(project, DetectResult(violations=[_v("lib/x.py", "unassigned")]), {})
    assert [r.id for r in rows] == ["p0", "p1", "unassigned"]
    assert rows[-1].pending == (("lib/x.py", 1),)


def test_markdown_is_a_checklist(project: config_mod.Config) -> None:
    recorded = {"p0": {"status": "complete", "violations_before": 2,
                       "files_done": ["app/e2e/a.py"],
                       "gates": {"syntax": {"result": "pass", "duration": 0.1,
                                            "summary": "a | b"}}}}
    result = DetectResult(violations=[_v("app/c.py", "p1")])
    text = tracker.render_markdown(tracker.build(project, result, recorded), result)
    lines = text.splitlines()
    assert lines[0] == "## phasegate migration status"
    assert "| p0 (Golden Path) | complete | 2 | 0 | 1 pass in 0.10s | 0 | 1 |" in lines
    assert "| p1 | pending | - | 1 | not run | 1 | 0 |" in lines
    assert "| syntax | pass | 0.10s | a \\| b |" in lines
    assert "- [x] `app/e2e/a.py`" in lines
    assert "- [ ] `app/c.py` (1 violation)" in lines


def test_cli_text_counts_from_real_detect(project: config_mod.Config,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CI", "1")
    state.record_phase(project, "p0", status="complete", counts_before=1,
                       files_done=["app/e2e/b.py"])
    code = cli.main(["status", "--config", str(project.path)])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Phase", "Status", "Before", "Now", "Gates", "Files", "pending",
                                "Files", "done"]
    assert lines[2].split()[:5] == ["p0", "(Golden", "Path)", "complete", "1"]
    assert lines[2].split()[5] == "1"  # a.py still imports the old name
    assert "  pending app/e2e/a.py (1)" in lines
    assert "  done    app/e2e/b.py" in lines
    assert "  pending app/c.py (2)" in lines
    assert "1 of 2 phases complete; 3 violations left in 2 files" in lines


def test_cli_markdown_to_file(project: config_mod.Config, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "status.md"
    code = cli.main(["status", "--config", str(project.path), "--format", "markdown",
                     "--output", str(out)])
    assert code == 0
    assert capsys.readouterr().out == ""
    text = out.read_text()
    assert text.startswith("## phasegate migration status\n")
    assert "- [ ] `app/c.py` (2 violations)" in text


def test_cli_status_is_read_only(project: config_mod.Config) -> None:
    before = project.path.read_bytes()
    assert cli.main(["status", "--config", str(project.path), "--format", "text"]) == 0
    assert project.path.read_bytes() == before


def test_cli_bad_config_one_line_exit_2(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "phases.toml"
    bad.write_text("[project]\nroot = \"nowhere\"\n")
    assert cli.main(["status", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == "phasegate: error: phases.toml:2: project.root: 'nowhere' is not a directory\n"


def test_rich_table_lists_pending_and_done(project: config_mod.Config) -> None:
    recorded = {"p0": {"status": "complete", "files_done": ["app/e2e/b.py"],
                       "gates": {"syntax": {"result": "pass", "duration": 0.25}}}}
    result = DetectResult(violations=[_v("app/c.py", "p1")])
    text = tracker.render_rich(tracker.build(project, result, recorded), result, width=140)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    assert "phasegate: migration status" in plain
    assert "1 pass in 0.25s" in plain
    assert "  p1 pending app/c.py (1)" in plain
    assert "  p0 done    app/e2e/b.py" in plain
    assert "1 of 2 phases complete; 1 violation left in 1 file" in plain
