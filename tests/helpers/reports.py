"""A sample config and detect result with every case a report must show: two phases and
unassigned, fixable and manual sites, a rule at 0, an unparseable file and a skipped link."""

from __future__ import annotations

from pathlib import Path

from phasegate import config as config_mod
from phasegate.model import DetectResult, FileProblem, Violation

PHASES = """\
[project]
root = "."

[rules.moved]
kind = "move"
old = "pkg.old.Thing"
new = "pkg.new.Thing"
message = "Thing moved to pkg.new"

[rules.legacy]
kind = "module"
old = "pkg.legacy"
new = "pkg.modern"

[rules.idle]
kind = "move"
old = "pkg.old.Idle"
new = "pkg.new.Idle"
message = "Idle moved"

[phases.p0]
title = "Golden | [beta]"
files = ["pkg/a/**"]
rules = ["moved", "legacy"]

[phases.p1]
files = ["pkg/b/**"]
rules = ["moved", "idle"]
"""


def make_config(tmp_path: Path, extra: str = "") -> config_mod.Config:
    (tmp_path / "phases.toml").write_text(PHASES + extra)
    return config_mod.load(tmp_path / "phases.toml")[0]


def v(path: str, line: int, col: int, rule: str, kind: str, phase: str, *,
      fixable: bool = True, reason: str = "", message: str = "Thing moved to pkg.new",
      name: str = "pkg.old.Thing") -> Violation:
    return Violation(path, line, col, rule, kind, name, phase, fixable, reason, message)


def sample() -> DetectResult:
    return DetectResult(
        violations=[
            v("pkg/a/x.py", 1, 21, "moved", "import", "p0", fixable=False,
              reason="re-exported in __all__"),
            v("pkg/a/x.py", 2, 8, "legacy", "import", "p0", message="", name="pkg.legacy"),
            v("pkg/a/x.py", 3, 12, "moved", "re-export", "p0", fixable=False,
              reason="re-exported in __all__: importers of this module break"),
            v("pkg/b/y.py", 2, 1, "moved", "attribute", "p1"),
            v("pkg/c/z.py", 1, 1, "legacy", "import", "unassigned", message="",
              name="pkg.legacy"),
        ],
        problems=[FileProblem("pkg/c/bad.py", "unparseable: invalid syntax", 3),
                  FileProblem("pkg/c/link.py", "symbolic link (not followed)")],
        files_scanned=9, files_parsed=4,
    )
