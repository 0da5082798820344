"""GitHub workflow commands: escaping per the runner's rules, paths relative to the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate.report import render as report
from phasegate.report.formats.github import annotation, escape_data, escape_property
from tests.helpers.reports import make_config, sample, v


@pytest.mark.parametrize(("text", "data", "prop"), [
    ("plain", "plain", "plain"),
    ("100%", "100%25", "100%25"),
    ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
    ("a,b:c", "a,b:c", "a%2Cb%3Ac"),
    ("%0A", "%250A", "%250A"),  # an already-escaped look-alike stays literal
])
def test_escaping(text: str, data: str, prop: str) -> None:
    assert escape_data(text) == data
    assert escape_property(text) == prop


def test_annotation_escapes_properties_and_message() -> None:
    site = v("dir,1/a:b.py", 4, 9, "moved", "call", "p0", fixable=False,
             reason="no user context in scope", message="50% done,\nsee: docs")
    assert annotation(site) == (
        "::warning file=dir%2C1/a%3Ab.py,line=4,col=9,title=phasegate moved::50%25 done,%0Asee: "
        "docs [call] (phase p0, manual: no user context in scope)")


def test_github_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    lines = report.render(sample(), make_config(tmp_path), "github").splitlines()
    assert lines[1] == ("::warning file=pkg/a/x.py,line=2,col=8,title=phasegate legacy::"
                        "'pkg.legacy' is deprecated [import] (phase p0, fixable by phasegate)")
    assert lines[5] == ("::error file=pkg/c/bad.py,line=3,title=phasegate::"
                        "pkg/c/bad.py:3: unparseable: invalid syntax")
    assert lines[-1].startswith("::notice title=phasegate::5 violations (3 fixable, 2 manual)")
    assert len(lines) == 5 + 2 + 1


def test_paths_are_relative_to_the_checkout(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "examples" / "netra"
    root.mkdir(parents=True)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    out = report.render(sample(), make_config(root), "github")
    assert out.startswith("::warning file=examples/netra/pkg/a/x.py,line=1,col=21,")
