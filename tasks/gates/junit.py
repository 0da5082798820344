"""Read pytest's JUnit XML: which tests passed or failed, and how long each test file took."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class JUnitReport:
    passed: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # test id -> first line of the message
    skipped: set[str] = field(default_factory=set)
    durations: dict[str, float] = field(default_factory=dict)  # test file -> seconds
    collection_errors: dict[str, str] = field(default_factory=dict)  # module -> first line

    @property
    def total(self) -> int:
        """Tests that ran (a module that could not be collected is not a test)."""
        return len(self.passed) + len(self.failed) + len(self.skipped)


def test_id(case: ET.Element) -> str:
    """A stable id: ``classname::name`` (pytest's dotted module/class, then the test name)."""
    classname = case.get("classname", "")
    name = case.get("name", "")
    return f"{classname}::{name}" if classname else name


def parse(path: Path) -> JUnitReport:
    """Parse one report; an unreadable or truncated file raises ValueError with the reason."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise ValueError(f"{path}: unreadable JUnit XML ({exc})") from None
    report = JUnitReport()
    for case in root.iter("testcase"):
        _add_case(report, case)
    return report


def _add_case(report: JUnitReport, case: ET.Element) -> None:
    tid = test_id(case)
    problem = case.find("failure")
    if problem is None:
        problem = case.find("error")
    if problem is not None and problem.get("message") == COLLECTION_FAILURE:
        report.collection_errors[tid.strip(":")] = _collect_reason(problem)
        return
    if problem is not None:
        # A test failing in call and erroring in teardown appears twice: keep the first reason.
        report.failed.setdefault(tid, _first_line(problem))
        report.passed.discard(tid)
    elif case.find("skipped") is not None:
        report.skipped.add(tid)
    elif tid not in report.failed:
        report.passed.add(tid)
    file = case.get("file") or _file_of(case.get("classname", ""))
    if file:
        try:
            seconds = float(case.get("time", "0") or 0)
        except ValueError:
            seconds = 0.0
        report.durations[file] = report.durations.get(file, 0.0) + seconds


COLLECTION_FAILURE = "collection failure"  # pytest's message on a module that did not import


def _collect_reason(problem: ET.Element) -> str:
    """The ``E   ...`` line of a collection error (the exception), else its first line."""
    lines = [ln.strip() for ln in (problem.text or "").splitlines() if ln.strip()]
    errors = [ln[1:].strip() for ln in lines if ln.startswith("E ")]
    return (errors[-1] if errors else lines[0] if lines else COLLECTION_FAILURE)[:200]


def mark_flaky(path: Path, flaky: dict[str, str]) -> None:
    """Rewrite a report so each flaky test (id -> why) passes with a ``<flakyFailure>`` child,
    the convention of Maven Surefire that Jenkins and GitLab show as flaky."""
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError):
        return
    for case in tree.getroot().iter("testcase"):
        why = flaky.get(test_id(case))
        if why is None:
            continue
        for tag in ("failure", "error"):
            for problem in case.findall(tag):
                case.remove(problem)
                marker = ET.SubElement(case, "flakyFailure",
                                       {"message": problem.get("message") or why})
                marker.text = problem.text
        ET.SubElement(case, "properties").append(
            ET.Element("property", {"name": "phasegate.flaky", "value": why}))
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _first_line(problem: ET.Element) -> str:
    message = problem.get("message") or (problem.text or "")
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    return lines[0][:200] if lines else problem.tag


def _file_of(classname: str) -> str:
    """Best guess of a test file from a dotted classname (xunit2 reports carry no file)."""
    parts = [p for p in classname.split(".") if p]
    while parts and parts[-1][:1].isupper():  # drop test classes
        parts.pop()
    return "/".join(parts) + ".py" if parts else ""


def durations(paths: Iterable[Path]) -> dict[str, float]:
    """Seconds per test file over several reports; the newest report for a file wins."""
    out: dict[str, float] = {}
    for path in sorted(paths, key=lambda p: (_mtime(p), str(p))):
        try:
            out.update(parse(path).durations)
        except ValueError:
            continue  # a report cut short by a timeout says nothing reliable
    return out


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
