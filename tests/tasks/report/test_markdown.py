"""The markdown tracker: a table fit to paste into an issue and a checklist per phase."""

from __future__ import annotations

from pathlib import Path

from phasegate.model import DetectResult
from phasegate.report import render as report
from tests.helpers.reports import make_config, sample

EXPECTED = """\
## phasegate migration tracker

| Rule | p0 | p1 | unassigned | Total | Baseline | Files |
| :--- | ---: | ---: | ---: | ---: | ---: | ---: |
| moved | 2 | 1 | 0 | 3 | 1 (+2) | 2 |
| legacy | 1 | 0 | 1 | 2 | - | 2 |
| idle | 0 | 0 | 0 | 0 | - | 0 |
| **all rules** | 3 | 1 | 1 | 5 | 1 | 3 |
| **files pending** | 1 | 1 | 1 | 3 |  |  |

_5 violations (3 fixable, 2 manual) in 3 files across 2 phases (1 unassigned); 1 file \
unparseable; 1 other file not scanned_

### p0: Golden \\| [beta] (3 violations in 1 file pending)

- [ ] `pkg/a/x.py`: 3 (1 fixable, 2 manual)

### p1 (1 violation in 1 file pending)

- [ ] `pkg/b/y.py`: 1 (1 fixable)

### unassigned (1 violation in 1 file pending)

- [ ] `pkg/c/z.py`: 1 (1 fixable)

### Not scanned

- pkg/c/bad.py:3: unparseable: invalid syntax
- pkg/c/link.py: symbolic link (not followed)
"""


def test_markdown_whole(tmp_path: Path) -> None:
    out = report.render(sample(), make_config(tmp_path), "markdown", baseline={"moved": 1},
                        before={})
    assert out == EXPECTED


def test_markdown_clean_phase_says_nothing_pending(tmp_path: Path) -> None:
    out = report.render(DetectResult(), make_config(tmp_path), "markdown", before={"p0": 4})
    assert "| **before** | 4 | - |  |  |" in out
    assert out.count("Nothing pending.") == 2
