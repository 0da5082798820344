"""A small config and a history of five records (detects, a migration, a rollback) shared by
the history view and tracker page tests."""

from __future__ import annotations

from phasegate.report.history import Record

CONFIG = """\
[project]
root = "."

[rules.b-rule]
kind = "move"
old = "pkg.old.b"
new = "pkg.new.b"

[rules.a-rule]
kind = "move"
old = "pkg.old.a"
new = "pkg.new.a"

[phases.p0]
files = ["a/**"]
rules = ["a-rule", "b-rule"]
gates = ["syntax"]

[phases.p1]
files = ["**"]
rules = ["a-rule"]
gates = ["syntax"]
"""


def r(minute: int, counts: dict[str, dict[str, tuple[int, int]]], *, event: str = "detect",
      phase: str | None = None, note: str = "", status: dict[str, str] | None = None) -> Record:
    return Record(time=f"2026-03-04T05:{minute:02d}:09Z", event=event, phase=phase, note=note,
                  commit="0123456789abcdef", counts=counts,
                  files={p: sum(1 for c in v.values() if any(c)) for p, v in counts.items()},
                  status=status or {})


HISTORY = [
    r(0, {"p0": {"a-rule": (4, 1), "b-rule": (2, 0)}, "p1": {"a-rule": (3, 0)}}),
    r(1, {"p0": {"a-rule": (0, 1)}, "p1": {"a-rule": (3, 0)}}, event="migrated", phase="p0",
      status={"p0": "complete"}),
    r(2, {"p0": {"a-rule": (0, 1)}, "p1": {"a-rule": (3, 0)}}, status={"p0": "complete"}),
    r(3, {"p0": {"a-rule": (0, 1)}, "p1": {"a-rule": (0, 0)}},
      status={"p0": "complete", "p1": "complete"}),
    r(4, {"p0": {"a-rule": (0, 1)}, "p1": {"a-rule": (3, 0)}}, event="rolled-back", phase="p1",
      note="gate lint failed", status={"p0": "complete", "p1": "rolled-back"}),
]
