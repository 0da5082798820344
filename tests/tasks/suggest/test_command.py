"""``phasegate suggest``: the TOML validates, --write only appends, the JSON has its schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import tomlkit

from phasegate import config
from phasegate.cli import main

from .conftest import PHASES, make_project

REPO = Path(__file__).resolve().parents[3]
FILES = {
    "pkg/__init__.py": "from pkg.old import stale\n",
    "pkg/modern.py": "def fresh(ctx=None):\n    return ctx\n\n\nclass Fresh:\n    pass\n",
    "pkg/old.py": """\
        import warnings

        from typing_extensions import deprecated

        from pkg.modern import Fresh, fresh


        @deprecated("use pkg.modern.fresh")
        def stale(ctx=None):
            return fresh(ctx)


        def build(user_context):
            warnings.warn("build() is deprecated; use Fresh(user_context=user_context)",
                          DeprecationWarning)
            return None


        class Service:
            @deprecated("use run")
            def start(self):
                pass


        Legacy = Fresh  # deprecated alias
        """,
    "app/use.py": "from pkg import stale\nfrom pkg.old import Legacy\n\nstale()\nLegacy()\n",
}
EXISTING = PHASES + '\n# a hand-written rule: kept byte for byte\n[rules.legacy]\nkind = "move"\n' \
    'old = "pkg.old.Legacy"\nnew = "pkg.modern.Fresh"\n'


def test_toml_output_validates_and_covers_every_ready_rule(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_path = make_project(tmp_path, FILES)
    assert main(["suggest", "--config", str(cfg_path), "-j", "1"]) == 0
    out = capsys.readouterr().out
    merged = cfg_path.read_text() + "\n" + out
    cfg = config.validate(tomlkit.parse(merged).unwrap(), cfg_path, merged)
    assert sorted(cfg.rules) == ["build", "legacy", "stale"]
    assert cfg.rules["stale"].aliases == ("pkg.stale",)
    assert cfg.rules["build"].kind == "call"
    assert "# pkg.old.Service.start (method): unsupported: a method" in out
    assert "# suggested by phasegate suggest: decorator at pkg/old.py:8 (high confidence)" in out


def test_write_appends_new_rules_and_keeps_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_path = make_project(tmp_path, FILES, EXISTING)
    before = cfg_path.read_bytes()
    assert main(["suggest", "--config", str(cfg_path), "--write", "-j", "1"]) == 0
    after = cfg_path.read_bytes()
    assert after.startswith(before)
    assert "suggest: 2 rule(s) added to phases.toml: build, stale" in capsys.readouterr().err
    cfg, _ = config.load(cfg_path)
    assert sorted(cfg.rules) == ["build", "legacy", "stale"]
    assert after.count(b"# suggested by phasegate suggest:") == 2
    # a second run finds nothing new to add
    assert main(["suggest", "--config", str(cfg_path), "--write", "-j", "1"]) == 0
    assert cfg_path.read_bytes() == after


def test_json_follows_the_documented_schema(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_path = make_project(tmp_path, FILES, EXISTING)
    assert main(["suggest", "--config", str(cfg_path), "--format", "json", "-j", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    schema = json.loads((REPO / "docs" / "suggest.schema.json").read_text())
    jsonschema.validate(data, schema)
    by_old = {s["old"]: s for s in data["suggestions"]}
    assert by_old["pkg.old.Legacy"]["status"] == "existing"
    assert by_old["pkg.old.Service.start"]["status"] == "unsupported"
    assert by_old["pkg.old.stale"]["uses"] == {"all": 1}  # detect: the import in app/use.py


def test_paths_outside_the_root_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_path = make_project(tmp_path / "proj", FILES)
    assert main(["suggest", "--config", str(cfg_path), str(tmp_path)]) == 2
    assert f"suggest: '{tmp_path}' is outside the project root" in capsys.readouterr().err
