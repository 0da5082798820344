"""The JSON report: valid against the schema documented in docs/report-schema.md, and stable."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from phasegate.model import DetectResult, Violation
from phasegate.report import render as report
from tests.helpers.reports import make_config, sample

DOC = Path(__file__).resolve().parents[3] / "docs" / "report-schema.md"


def documented_schema() -> dict[str, Any]:
    """The one ```json block of docs/report-schema.md that is a JSON Schema."""
    blocks = re.findall(r"```json\n(.*?)\n```", DOC.read_text(), flags=re.S)
    schemas = [json.loads(b) for b in blocks if '"$schema"' in b]
    assert len(schemas) == 1, "docs/report-schema.md must hold exactly one JSON Schema"
    return schemas[0]


@pytest.mark.parametrize(("result", "baseline"), [
    (sample(), None), (sample(), {"moved": 1, "idle": 0}), (DetectResult(), None),
], ids=["sample", "sample-baseline", "empty"])
def test_json_matches_documented_schema(tmp_path: Path, result: DetectResult,
                                        baseline: dict[str, int] | None) -> None:
    out = json.loads(report.render(result, make_config(tmp_path), "json", baseline=baseline,
                                   before={}))
    jsonschema.Draft7Validator(documented_schema()).validate(out)


def test_json_content(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    out = json.loads(report.render(sample(), cfg, "json", baseline={"moved": 1}, before={}))
    assert (out["version"], out["tool"], out["root"]) == (1, "phasegate", str(cfg.root))
    assert out["summary"] == {"violations": 5, "fixable": 3, "manual": 2, "files": 3,
                              "phases": 2, "unassigned": 1, "unparseable": 1,
                              "not_scanned": 1, "files_scanned": 9, "files_parsed": 4,
                              "cache_hits": 0}
    assert out["counts"] == {"moved": {"p0": 2, "p1": 1, "unassigned": 0},
                             "legacy": {"p0": 1, "p1": 0, "unassigned": 1},
                             "idle": {"p0": 0, "p1": 0, "unassigned": 0}}
    assert [Violation(**d) for d in out["violations"]] == sample().violations
    assert out["problems"][0] == {"path": "pkg/c/bad.py", "reason": "unparseable: invalid syntax",
                                  "line": 3}
    assert out["phases"]["p0"] == {"title": "Golden | [beta]", "violations": 3,
                                   "files_pending": ["pkg/a/x.py"]}
    assert out["baseline"] == {"counts": {"moved": 1}, "grown": {"moved": 3}}


def test_json_without_baseline_is_null_and_output_is_stable(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    first = report.render(sample(), cfg, "json", before={})
    assert json.loads(first)["baseline"] is None
    assert report.render(sample(), cfg, "json", before={}) == first
