"""tasks/report/history_view.py: the burndown series and events of a phase, the text table."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate.report.history import Record
from phasegate.report.history_view import burndown, phase_event, render_text, with_now
from tests.helpers.history import CONFIG, HISTORY


def test_burndown_of_a_phase_stacks_manual_under_fixable_per_rule() -> None:
    chart = burndown(HISTORY, "p0", ["b-rule", "a-rule"])
    assert [(s.title, s.values) for s in chart.series] == [
        ("a-rule · manual", (1, 1, 1, 1, 1)),
        ("b-rule · fixable", (2, 0, 0, 0, 0)),
        ("a-rule · fixable", (4, 0, 0, 0, 0)),
    ]
    assert chart.events == ((1, "p0 migrated"),)
    assert chart.labels == ("03-04 05:00", "03-04 05:01 ▲ p0 migrated", "03-04 05:02",
                            "03-04 05:03", "03-04 05:04")
    assert chart.event_labels == ("03-04 05:01 ▲ p0 migrated",)


def test_events_of_a_phase_include_status_changes_seen_between_detects() -> None:
    chart = burndown(HISTORY, "p1", ["b-rule", "a-rule"])
    assert chart.events == ((3, "p1 status complete"),
                            (4, "p1 rolled back (gate lint failed)"))
    assert [s.title for s in chart.series] == ["a-rule · fixable"]


@pytest.mark.parametrize(("index", "phase", "want"), [
    (0, "p0", ""), (1, "p0", "migrated"), (1, "p1", ""), (2, "p0", ""),
    (3, "p1", "status complete"), (4, "p1", "rolled back (gate lint failed)"),
])
def test_phase_event(index: int, phase: str, want: str) -> None:
    assert phase_event(HISTORY[index], HISTORY[index - 1] if index else None, phase) == want


def test_a_phase_never_counted_has_no_series() -> None:
    assert burndown(HISTORY, "p9", ["a-rule"]).series == ()


def test_with_now_adds_this_run_only_when_it_says_something_new() -> None:
    same = Record(time="later", counts=HISTORY[-1].counts, files=HISTORY[-1].files,
                  status=HISTORY[-1].status)
    assert with_now(HISTORY, same) == HISTORY
    new = Record(time="later", counts={})
    assert with_now(HISTORY, new) == [*HISTORY, new]
    assert with_now([], same) == [same]


def test_render_text(tmp_path: Path) -> None:
    (tmp_path / "phases.toml").write_text(CONFIG)
    config = config_mod.load(tmp_path / "phases.toml")[0]
    assert render_text(config, HISTORY[:2], Path("h.jsonl")) == (
        "Time                  Commit    Event        p0       p1\n"
        "--------------------  --------  -----------  -------  -------\n"
        "2026-03-04T05:00:09Z  01234567  detect       6+1 (2)  3+0 (1)\n"
        "2026-03-04T05:01:09Z  01234567  p0 migrated  0+1 (1)  3+0 (1)\n"
        "\n"
        "2 record(s) in h.jsonl; per phase: fixable+manual (files pending)\n")
