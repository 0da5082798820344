"""Reports: dispatch, the default format, the summary, the listing, the tracker table, the ratchet.

``sample()`` (tests/helpers/reports.py) is a result with every case a report must show.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from phasegate.errors import MigrationError
from phasegate.model import DetectResult, FileProblem, Violation
from phasegate.report import render as report
from phasegate.report.formats import names
from phasegate.report.formats.table import render_rich
from phasegate.report.tally import summary_line, tally, violation_line
from tests.helpers.reports import make_config, sample, v

SAMPLE_TEXT = """\
pkg/a/x.py:1:21: moved [import] Thing moved to pkg.new (p0, manual: re-exported in __all__)
pkg/a/x.py:2:8: legacy [import] 'pkg.legacy' is deprecated (p0, fixable)
pkg/a/x.py:3:12: moved [re-export] Thing moved to pkg.new (p0, manual: re-exported in __all__: \
importers of this module break)
pkg/b/y.py:2:1: moved [attribute] Thing moved to pkg.new (p1, fixable)
pkg/c/z.py:1:1: legacy [import] 'pkg.legacy' is deprecated (unassigned, fixable)

2 file(s) not scanned:
  pkg/c/bad.py:3: unparseable: invalid syntax
  pkg/c/link.py: symbolic link (not followed)

Rule           p0  p1  unassigned  Total  Baseline  Files
-------------  --  --  ----------  -----  --------  -----
moved           2   1           0      3    1 (+2)      2
legacy          1   0           1      2         -      2
idle            0   0           0      0         0      0
-------------  --  --  ----------  -----  --------  -----
all rules       3   1           1      5         1      3
files pending   1   1           1      3
before          7   -           -

5 violations (3 fixable, 2 manual) in 3 files across 2 phases (1 unassigned); 1 file \
unparseable; 1 other file not scanned
"""


def test_text_report_whole(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    out = report.render(sample(), cfg, "text", baseline={"moved": 1, "idle": 0},
                        before={"p0": 7})
    assert out == SAMPLE_TEXT


def test_text_report_clean_project(tmp_path: Path) -> None:
    out = report.render(DetectResult(files_scanned=3), make_config(tmp_path), "text", before={})
    assert out.splitlines()[0].startswith("Rule           p0  p1  Total  Files")
    assert "unassigned" not in out and "Baseline" not in out and "before" not in out
    assert out.endswith("0 violations (0 fixable, 0 manual) in 0 files across 0 phases; "
                        "0 files unparseable\n")


@pytest.mark.parametrize(("violation", "line"), [
    (v("a.py", 3, 5, "moved", "import", "p0"),
     "a.py:3:5: moved [import] Thing moved to pkg.new (p0, fixable)"),
    (v("a.py", 3, 5, "moved", "call", "p1", fixable=False, reason="no user context in scope"),
     "a.py:3:5: moved [call] Thing moved to pkg.new (p1, manual: no user context in scope)"),
    (v("a.py", 1, 1, "moved", "star-import", "p0", fixable=False),
     "a.py:1:1: moved [star-import] Thing moved to pkg.new (p0, manual: needs a person)"),
    (v("b/c.py", 9, 2, "legacy", "attribute", "unassigned", message="", name="pkg.legacy"),
     "b/c.py:9:2: legacy [attribute] 'pkg.legacy' is deprecated (unassigned, fixable)"),
], ids=["fixable", "manual", "manual-no-reason", "no-message"])
def test_violation_line(violation: Violation, line: str) -> None:
    assert violation_line(violation) == line


@pytest.mark.parametrize(("result", "line"), [
    (DetectResult(), "0 violations (0 fixable, 0 manual) in 0 files across 0 phases; "
                     "0 files unparseable"),
    (DetectResult(violations=[v("a.py", 1, 1, "moved", "import", "p0")]),
     "1 violation (1 fixable, 0 manual) in 1 file across 1 phase; 0 files unparseable"),
    (DetectResult(problems=[FileProblem("x.py", "unparseable: bad", 1),
                            FileProblem("y.py", "unparseable: worse", 2)]),
     "0 violations (0 fixable, 0 manual) in 0 files across 0 phases; 2 files unparseable"),
    (sample(), "5 violations (3 fixable, 2 manual) in 3 files across 2 phases (1 unassigned); "
               "1 file unparseable; 1 other file not scanned"),
], ids=["empty", "one", "unparseable", "sample"])
def test_summary_line(result: DetectResult, line: str) -> None:
    assert summary_line(result) == line


def test_rich_table_shows_rules_phases_and_titles(tmp_path: Path) -> None:
    t = tally(sample(), make_config(tmp_path), baseline={"moved": 1})
    out = render_rich(sample(), t, width=140, color=False)
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[0] == SAMPLE_TEXT.splitlines()[0]  # the listing comes first
    row = next(line for line in lines if "│ moved" in line)
    assert [c.strip() for c in row.strip("│ ").split("│")] == ["moved", "2", "1", "0", "3",
                                                              "1 (+2)", "2"]
    assert any("Golden | [beta]" in line for line in lines)  # a phase's title under its id
    assert lines[-1] == summary_line(sample())


def test_table_format_is_coloured_on_a_terminal(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    out = report.render(sample(), make_config(tmp_path), "table", before={})
    assert "\x1b[" in out and "moved" in out


@pytest.mark.parametrize(("tty", "ci", "expected"), [
    (True, "", "table"), (True, "true", "text"), (False, "", "text"), (False, "1", "text"),
])
def test_default_format(monkeypatch: pytest.MonkeyPatch, tty: bool, ci: str,
                        expected: str) -> None:
    monkeypatch.setattr(sys, "stdout", types.SimpleNamespace(isatty=lambda: tty))
    monkeypatch.setenv("CI", ci)
    assert report.default_format() == expected


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(MigrationError) as err:
        report.render(sample(), make_config(tmp_path), "xml")
    assert err.value.exit_code == 2
    assert str(err.value) == ("unknown report format 'xml' (formats: table, text, json, sarif, "
                              "github, markdown)")


def test_formats_match_the_detect_command() -> None:
    from phasegate.cli import build_parser

    parser = build_parser("detect")
    assert names()[:2] == ("table", "text")
    assert set(names()) == {"table", "text", "json", "sarif", "github", "markdown"}
    for name in names():
        assert parser.parse_args(["detect", "--format", name]).format == name
    with pytest.raises(MigrationError, match=r"argument --format: invalid choice: 'xml' \(choose"
                                             r" from 'table', 'text', 'json', 'sarif', 'github',"
                                             r" 'markdown'\) \(see phasegate detect --help\)"):
        parser.parse_args(["detect", "--format", "xml"])


@pytest.mark.parametrize(("counts", "baseline", "expected"), [
    ({"ws-factory": 14}, {"ws-factory": 12}, ["ws-factory: 14 > baseline 12"]),
    ({"ws-factory": 12}, {"ws-factory": 12}, []),
    ({"ws-factory": 3}, {"ws-factory": 12}, []),
    ({"new-rule": 2}, {}, ["new-rule: 2 > baseline 0"]),
    ({}, {"gone": 4}, []),
    ({"b": 5, "a": 2, "c": 1}, {"a": 1, "b": 5, "c": 0},
     ["a: 2 > baseline 1", "c: 1 > baseline 0"]),
], ids=["grown", "equal", "shrunk", "new-rule", "rule-gone", "several-sorted"])
def test_compare_baseline(counts: dict[str, int], baseline: dict[str, int],
                          expected: list[str]) -> None:
    assert report.compare_baseline(counts, baseline) == expected


def test_before_row_read_from_recorded_status(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("phasegate.recorded")
    fake.read_status = lambda config: {  # type: ignore[attr-defined]
        "p0": {"status": "complete", "violations_before": 9, "violations_after": 0},
        "p1": {"status": "pending", "violations_before": 3}, "junk": "not a table"}
    monkeypatch.setitem(sys.modules, "phasegate.recorded", fake)
    out = report.render(sample(), make_config(tmp_path), "text")
    assert "before          9   -           -" in out.splitlines()


def test_before_row_from_the_real_state_file(tmp_path: Path) -> None:
    from phasegate import state

    cfg = make_config(tmp_path)
    state.record_phase(cfg, "p1", status="complete", counts_before=12, counts_after=0)
    assert report.recorded_before(cfg) == {"p1": 12}
    assert report.render(DetectResult(), cfg, "text").splitlines()[-3] == "before          -  12"


def test_every_format_renders(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    for fmt in names():
        out = report.render(sample(), cfg, fmt, baseline={"moved": 1}, before={})
        assert out.endswith("\n") and "moved" in out, fmt
