"""Report formats register themselves: a format defined outside phasegate (here, in this test)
is rendered by `report.render` and accepted by `phasegate detect --format`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from phasegate.cli import main
from phasegate.config import Config
from phasegate.model import DetectResult
from phasegate.report import render as report
from phasegate.report.formats import FORMATS, ReportFormat, names
from phasegate.report.tally import Tally
from tests.helpers.reports import make_config, sample


def _csv(result: DetectResult, config: Config, t: Tally) -> str:
    rows = ["path,line,rule"] + [f"{v.path},{v.line},{v.rule}" for v in result.violations]
    return "\n".join(rows) + "\n"


@pytest.fixture
def toy_format() -> Iterator[str]:
    FORMATS.register(ReportFormat("csv", "one row per site", _csv, order=99))
    yield "csv"
    FORMATS.unregister("csv")


def test_a_registered_format_renders(tmp_path: Path, toy_format: str) -> None:
    out = report.render(sample(), make_config(tmp_path), toy_format, before={})
    assert out.splitlines()[:2] == ["path,line,rule", "pkg/a/x.py,1,moved"]
    assert names()[-1] == "csv"


def test_a_registered_format_is_a_cli_choice(tmp_path: Path, toy_format: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    make_config(tmp_path)
    (tmp_path / "pkg" / "a").mkdir(parents=True)
    (tmp_path / "pkg" / "a" / "x.py").write_text("from pkg.old import Thing\n")
    code = main(["detect", "--format", "csv", "--no-cache", "--config",
                 str(tmp_path / "phases.toml")])
    assert code == 1
    assert capsys.readouterr().out == "path,line,rule\npkg/a/x.py,1,moved\n"


def test_unknown_format_names_the_registered_ones(tmp_path: Path) -> None:
    from phasegate.errors import MigrationError

    with pytest.raises(MigrationError, match=r"unknown report format 'xml' \(formats: table, "
                                             r"text, json, sarif, github, markdown\)"):
        report.render(sample(), make_config(tmp_path), "xml", before={})
