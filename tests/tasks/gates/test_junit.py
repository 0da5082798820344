"""Reading pytest's JUnit XML: outcomes per test id, durations per test file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from phasegate.gates import junit as gates_junit

XML = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5">
<testcase classname="tests.test_a" name="test_ok" file="tests/test_a.py" time="0.5"/>
<testcase classname="tests.test_a.TestGroup" name="test_bad[1]" file="tests/test_a.py" time="1.0">
  <failure message="assert 1 == 2&#10;more">trace</failure></testcase>
<testcase classname="tests.test_b" name="test_skip" file="tests/test_b.py" time="0.0">
  <skipped message="later"/></testcase>
<testcase classname="tests.test_b" name="test_teardown" file="tests/test_b.py" time="0.25"/>
<testcase classname="tests.test_b" name="test_teardown" file="tests/test_b.py" time="0.25">
  <error message="teardown boom"/></testcase>
<testcase classname="tests.unit.test_c" name="test_x2" time="2"/>
</testsuite></testsuites>
"""


def test_parse_outcomes_and_durations(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text(XML)
    rep = gates_junit.parse(path)
    assert rep.passed == {"tests.test_a::test_ok", "tests.unit.test_c::test_x2"}
    assert rep.failed == {"tests.test_a.TestGroup::test_bad[1]": "assert 1 == 2",
                          "tests.test_b::test_teardown": "teardown boom"}
    assert rep.skipped == {"tests.test_b::test_skip"}
    assert rep.total == 5
    # xunit2 reports carry no file: it is derived from the classname
    assert rep.durations == {"tests/test_a.py": 1.5, "tests/test_b.py": 0.5,
                             "tests/unit/test_c.py": 2.0}


@pytest.mark.parametrize("text", ["", "<testsuites><testcase", "not xml at all"])
def test_a_truncated_report_is_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "cut.xml"
    path.write_text(text)
    with pytest.raises(ValueError, match="unreadable JUnit XML"):
        gates_junit.parse(path)


def test_durations_newest_report_wins_and_bad_reports_are_ignored(tmp_path: Path) -> None:
    old, new, bad = tmp_path / "old.xml", tmp_path / "new.xml", tmp_path / "bad.xml"
    old.write_text('<testsuite><testcase classname="t.test_a" name="x" file="t/test_a.py" '
                   'time="9"/><testcase classname="t.test_b" name="y" file="t/test_b.py" '
                   'time="4"/></testsuite>')
    new.write_text('<testsuite><testcase classname="t.test_a" name="x" file="t/test_a.py" '
                   'time="1"/></testsuite>')
    bad.write_text("<testsuite>")
    os.utime(old, (1_000, 1_000))
    assert gates_junit.durations([new, bad, old]) == {"t/test_a.py": 1.0, "t/test_b.py": 4.0}
