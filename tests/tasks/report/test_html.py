"""tasks/report/html.py: the tracker page (its browser check is test_html_browser.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from phasegate import cli
from phasegate import config as config_mod
from phasegate.model import DetectResult, Violation
from phasegate.report import tracker
from phasegate.report.html import render_html
from tests.helpers.history import CONFIG, HISTORY

RESULT = DetectResult(violations=[
    Violation("a/x.py", 3, 1, "a-rule", "import", "pkg.old.a", "p0", fixable=False,
              reason="dynamic import by string: rewrite it <by hand>"),
    Violation("a/x.py", 9, 1, "a-rule", "import", "pkg.old.a", "p0", fixable=False,
              reason="star import"),
    Violation("b/y.py", 1, 1, "a-rule", "import", "pkg.old.a", "p1"),
], files_scanned=3)
RECORDED = {"p0": {"status": "complete", "updated": "2026-03-04T05:01:09Z",
                   "gates": {"syntax": {"result": "pass", "duration": 0.25,
                                        "summary": "2 file(s) compile"},
                             "lint": {"result": "pass", "duration": 1.5, "summary": "clean"}}},
            "p1": {"status": "rolled-back",
                   "gates": {"syntax": {"result": "fail", "duration": 0.5}}}}


@pytest.fixture()
def page(tmp_path: Path) -> str:
    (tmp_path / "phases.toml").write_text(CONFIG)
    config = config_mod.load(tmp_path / "phases.toml")[0]
    rows = tracker.build(config, RESULT, RECORDED)
    return render_html(config, rows, RESULT, HISTORY, source="h.jsonl")


def test_the_tracker_table_lists_every_phase(page: str) -> None:
    table = page[page.index("<table id=tracker>"):page.index("</table>")]
    assert re.findall(r"data-phase='([^']+)'", table) == ["p0", "p1"]
    assert "<td>p0</td><td>complete</td>" in table
    assert "<td>p1</td><td>rolled-back</td>" in table


def test_one_chart_per_phase_with_its_events_marked(page: str) -> None:
    charts = re.findall(r"<section id='phase-(\w+)'>.*?<figure class=burndown>(<svg.*?</svg>)",
                        page, re.S)
    assert [phase for phase, _ in charts] == ["p0", "p1"]
    p0 = charts[0][1]
    assert "a-rule · manual" in p0 and "a-rule · fixable" in p0
    assert re.search(r'class="major">03-04 05:01 ▲ p0 migrated</text>', p0)
    assert "2026-03-04T05:04:09Z: p1 rolled back (gate lint failed)" in page


def test_gates_with_their_times(page: str) -> None:
    p0 = page[page.index("<section id='phase-p0'>"):page.index("<section id='phase-p1'>")]
    assert ("<tr><td>syntax</td><td class=pass>pass</td><td class=num>0.25s</td>"
            "<td>2 file(s) compile</td></tr>") in p0
    assert "2 gate(s) in 1.75s; recorded 2026-03-04T05:01:09Z" in p0
    assert "<td class=fail>fail</td>" in page[page.index("<section id='phase-p1'>"):]


def test_sites_left_to_a_person_grouped_by_file_with_reasons(page: str) -> None:
    p0 = page[page.index("<section id='phase-p0'>"):page.index("<section id='phase-p1'>")]
    assert "<p>2 sites in 1 file</p>" in p0
    assert "<h4><code>a/x.py</code> (2)</h4>" in p0
    assert ("<li>line 3: <code>pkg.old.a</code> (a-rule): dynamic import by string: rewrite it "
            "&lt;by hand&gt;</li>") in p0
    p1 = page[page.index("<section id='phase-p1'>"):]
    assert "No site left to a person." in p1


def test_the_page_is_self_contained_and_needs_no_script(page: str) -> None:
    assert "<script" not in page
    assert "<link" not in page
    urls = set(re.findall(r"""(?:src|href)\s*=\s*["']?([^"' >]+)""", page))
    assert urls == set()
    assert "@import" not in page and "url(" not in page
    assert page.count("<svg") == 2


def test_a_phase_without_history_says_so(tmp_path: Path) -> None:
    (tmp_path / "phases.toml").write_text(CONFIG)
    config = config_mod.load(tmp_path / "phases.toml")[0]
    clean = DetectResult()
    html = render_html(config, tracker.build(config, clean, {}), clean, [])
    assert html.count("No violation recorded in this phase's history.") == 2
    assert "<svg" not in html


def test_without_pygal_the_command_says_how_to_get_it(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "phases.toml").write_text(CONFIG)
    monkeypatch.setitem(sys.modules, "pygal", None)  # import pygal raises ImportError
    code = cli.main(["status", "--format", "html", "-o", str(tmp_path / "t.html"),
                     "--config", str(tmp_path / "phases.toml")])
    assert code == 2
    assert capsys.readouterr().err == (
        "phasegate: error: --format html needs pygal: pip install 'phasegate[html]'\n")
    assert not (tmp_path / "t.html").exists()


def test_status_writes_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PHASEGATE_NO_REPLAY", "1")
    (tmp_path / "src" / "a").mkdir(parents=True)
    (tmp_path / "src" / "a" / "x.py").write_text("from pkg.old import a\n")
    (tmp_path / "state").mkdir()
    (tmp_path / "phases.toml").write_text(CONFIG.replace('root = "."',
                                                         'root = "src"\nstate_dir = "state"'))
    argv = ["--config", str(tmp_path / "phases.toml")]
    assert cli.main(["detect", "--format", "json", *argv]) == 1
    out = tmp_path / "tracker.html"
    assert cli.main(["status", "--format", "html", "-o", str(out), *argv]) == 0
    assert capsys.readouterr().err.endswith(f"status written to {out}\n")
    html = out.read_text(encoding="utf-8")
    assert "1 point of history from <code>" in html  # this run says nothing new: not added
    assert "<figure class=burndown><svg" in html
