"""SARIF 2.1.0: validated against the official schema, levels, locations, stable fingerprints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from phasegate.config import Config
from phasegate.detect.engine import detect
from phasegate.model import DetectResult
from phasegate.report import render as report
from phasegate.report.formats.sarif import fingerprints
from tests.helpers.reports import make_config, sample, v

# The repository's parent holds shared/ beside it (as in CI).
SCHEMAS = Path(__file__).resolve().parents[3] / ".." / "shared" / "schemas"
SCHEMA = SCHEMAS / "sarif-2.1.0-rtm.5.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    if not SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SCHEMA.resolve()} (../shared/schemas/ "
                    "beside the repository)")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def sarif(result: DetectResult, config: Config) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(report.render(result, config, "sarif", before={}))
    return out


def real_tree(tmp_path: Path) -> tuple[Config, DetectResult]:
    """A real detect run: odd path characters, a non-ASCII line, a manual site, a bad file."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    cfg = make_config(tmp_path)
    files = {
        "pkg/__init__.py": "", "pkg/old.py": "class Thing: ...\n", "pkg/legacy.py": "X = 1\n",
        "pkg/a/__init__.py": "",
        "pkg/a/with space.py": "from pkg.old import *\nThing()\n",
        "pkg/a/ünï.py": "s = 'ä'; import pkg.legacy\nimport pkg.legacy as L\n",
        "pkg/b/broken.py": "import pkg.legacy\ndef (:\n",
    }
    for rel, body in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(body, encoding="utf-8")
    return cfg, detect(cfg, use_cache=False, jobs=1)


def test_outputs_validate_against_the_schema(tmp_path: Path,
                                             validator: jsonschema.Draft4Validator,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, real = real_tree(tmp_path / "real")
    assert real.violations and real.problems  # the real run exercises sites and problems
    nested = tmp_path / "ws" / "examples" / "x"
    nested.mkdir(parents=True)
    cases = [(sample(), make_config(tmp_path)), (DetectResult(), make_config(tmp_path)),
             (real, cfg)]
    for result, config in cases:
        errors = sorted(validator.iter_errors(sarif(result, config)), key=str)
        assert not errors, [e.message for e in errors[:5]]
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "ws"))
    doc = sarif(sample(), make_config(nested))
    assert not list(validator.iter_errors(doc))
    first = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"] == {"uri": "examples/x/pkg/a/x.py", "uriBaseId": "%SRCROOT%"}


def test_sarif_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    cfg, real = real_tree(tmp_path)
    doc = sarif(real, cfg)
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["moved", "legacy", "idle"]
    moved = run["tool"]["driver"]["rules"][0]
    assert moved["shortDescription"] == {"text": "Thing moved to pkg.new"}
    assert moved["help"]["text"] == ("Thing moved to pkg.new. Use 'pkg.new.Thing' instead. "
                                     "(phasegate rule kind: move)")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"
    by_uri = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
               r["locations"][0]["physicalLocation"]["region"]["startLine"]): r
              for r in run["results"]}
    manual = by_uri[("pkg/a/with%20space.py", 1)]
    assert manual["level"] == "warning"
    star = "star import may bring in 'Thing': import it explicitly"
    assert manual["properties"] == {"phase": "p0", "kind": "star-import",
                                    "name": "pkg.old.Thing", "fixable": False, "reason": star}
    assert manual["message"]["text"] == f"Thing moved to pkg.new (manual: {star})"
    unicode_site = by_uri[("pkg/a/%C3%BCn%C3%AF.py", 1)]
    assert unicode_site["locations"][0]["physicalLocation"]["region"]["startColumn"] == 17
    assert unicode_site["ruleIndex"] == 1 and unicode_site["level"] == "warning"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == \
        ["pkg/b/broken.py"]
    assert notes[0]["level"] == "error"


def test_fingerprints_survive_lines_moving(tmp_path: Path) -> None:
    body = "import pkg.legacy\nimport pkg.legacy\n"
    (tmp_path / "m.py").write_text(body)
    sites = [v("m.py", 1, 8, "legacy", "import", "p0"), v("m.py", 2, 8, "legacy", "import", "p0")]
    before = fingerprints(tmp_path, sites)
    assert len(set(before)) == 2  # identical lines still get distinct fingerprints
    (tmp_path / "m.py").write_text("# a new header line\n\n" + body)
    moved = [v("m.py", 3, 8, "legacy", "import", "p0"), v("m.py", 4, 8, "legacy", "import", "p0")]
    assert fingerprints(tmp_path, moved) == before
    (tmp_path / "m.py").write_text("import pkg.legacy as changed\nimport pkg.legacy\n")
    assert fingerprints(tmp_path, sites)[0] != before[0]


def test_fingerprints_stable_across_runs(tmp_path: Path) -> None:
    cfg, real = real_tree(tmp_path)
    prints = [r["partialFingerprints"]["phasegate/v1"]
              for r in sarif(real, cfg)["runs"][0]["results"]]
    again = [r["partialFingerprints"]["phasegate/v1"]
             for r in sarif(detect(cfg, use_cache=False, jobs=1), cfg)["runs"][0]["results"]]
    assert prints == again and len(set(prints)) == len(prints)
