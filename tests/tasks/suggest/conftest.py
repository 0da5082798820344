"""A tiny project on disk, suggest run over it, and its suggestions by old name."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from phasegate import config
from phasegate.suggest import Report, suggest
from phasegate.suggest.model import Suggestion

PHASES = """\
[project]
root = "."

[phases.all]
files = ["**/*.py"]
rules = []
"""

Run = Callable[..., dict[str, Suggestion]]


def make_project(root: Path, files: dict[str, str], phases: str = PHASES) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "phases.toml").write_text(phases, encoding="utf-8")
    return root / "phases.toml"


def run_suggest(cfg_path: Path, *, uses: bool = False) -> Report:
    cfg, _ = config.load(cfg_path)
    return suggest(cfg, jobs=1, count_uses=uses)


@pytest.fixture
def suggested(tmp_path: Path) -> Run:
    def run(files: dict[str, str], *, uses: bool = False) -> dict[str, Suggestion]:
        report = run_suggest(make_project(tmp_path, files), uses=uses)
        return {s.old: s for s in report.suggestions}
    return run
