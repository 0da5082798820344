"""A project's own codemods (``[project] codemods = "tools/codemods"``): found like the bundled
ones, run in a phase through the CLI, their examples run by ``phasegate codemods test``; a bad
folder or an id clash is a config error naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate import cli
from phasegate import config as config_mod
from phasegate.errors import MigrationError
from tests.helpers.journal_repo import git

CODEMOD = '''\
"""Mark every call of ``rule.old`` as fast: ``slow(1)`` -> ``slow(1, fast=True)``."""

from __future__ import annotations

import libcst as cst

from phasegate.codemods._base import RuleCodemod
from phasegate.rewrite.model import Example


class Codemod(RuleCodemod):
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if self.rule.old not in self.qualified_names(original_node.func) or any(
                a.keyword is not None and a.keyword.value == "fast" for a in original_node.args):
            return updated_node
        self.report(original_node, "call")
        fast = cst.ensure_type(cst.parse_expression("f(fast=True)"), cst.Call).args[0]
        return updated_node.with_changes(args=[*updated_node.args, fast])


_RULE = {"kind": "codemod", "codemod": "make_fast", "old": "lib.slow"}
EXAMPLES = {
    "adds-the-keyword": Example(_RULE, "from lib import slow\\nslow(1)\\n",
                                "from lib import slow\\nslow(1, fast=True)\\n"),
    "other-calls-untouched": Example(_RULE, "slow(1)\\n", "{expected}"),
}
'''
PHASES = """\
[project]
root = "."
codemods = "{folder}"

[rules.fast]
kind = "codemod"
codemod = "make_fast"
old = "lib.slow"

[phases.p0]
files = ["app/**"]
rules = ["fast"]
gates = ["syntax"]
"""


def repo(tmp_path: Path, *, folder: str = "tools/codemods", expected: str = "slow(1)\\n",
         extra: dict[str, str] | None = None) -> Path:
    root = tmp_path / "repo"
    files = {"tools/codemods/make_fast.py": CODEMOD.replace("{expected}", expected),
             "tools/codemods/_helpers.py": "raise AssertionError('not a codemod')\n",
             "app/x.py": "from lib import slow\n\nslow(1)\n", "lib.py": "def slow(x): ...\n",
             "phases.toml": PHASES.format(folder=folder), **(extra or {})}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root / "phases.toml"


def test_a_project_codemod_runs_in_a_phase(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = repo(tmp_path)
    assert cli.main(["detect", "--config", str(path), "--no-cache"]) == 1
    assert cli.main(["migrate", "p0", "--config", str(path)]) == 0
    assert (path.parent / "app" / "x.py").read_text() == \
        "from lib import slow\n\nslow(1, fast=True)\n"
    assert "phase p0: committed 1 file(s), 1 site(s) rewritten" in capsys.readouterr().out
    assert cli.main(["detect", "--config", str(path), "--no-cache"]) == 0


def test_codemods_test_runs_every_example(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["codemods", "test", "--config", str(repo(tmp_path))]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "ok   make_fast:adds-the-keyword" in lines
    assert "ok   make_fast:other-calls-untouched" in lines
    assert "ok   rename_kwarg:rename-kwarg-call" in lines  # the bundled ones too
    assert lines[-1].startswith(f"{len(lines) - 1} of {len(lines) - 1} example(s) passed (")


def test_codemods_test_fails_on_a_wrong_example(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = repo(tmp_path, expected="slow(2)\\n")
    assert cli.main(["codemods", "test", "--config", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL make_fast:other-calls-untouched: expected 'slow(2)\\n', got 'slow(1)\\n'" in out
    assert "ok   make_fast:adds-the-keyword" in out


@pytest.mark.parametrize(("folder", "extra", "expected"), [
    ("tools/nothing", {}, "phases.toml:3: project.codemods: 'tools/nothing' is not a directory"),
    ("../elsewhere", {"../elsewhere/x.py": ""},
     "phases.toml:3: project.codemods: '../elsewhere' is outside the project root"),
    ("tools/codemods", {"tools/codemods/rename_kwarg.py": ""},
     "phases.toml:3: project.codemods: 'tools/codemods/rename_kwarg.py' has the id of the"
     " bundled codemod 'rename_kwarg'; rename it"),
], ids=["missing", "outside", "clash"])
def test_bad_codemods_folder(tmp_path: Path, folder: str, extra: dict[str, str],
                             expected: str) -> None:
    with pytest.raises(MigrationError) as info:
        config_mod.load(repo(tmp_path, folder=folder, extra=extra))
    assert info.value.message.splitlines()[0] == expected


def test_an_edited_project_codemod_is_not_answered_from_the_cache(tmp_path: Path) -> None:
    """detect's cache is keyed by the project codemods' code: a file that did not change is
    scanned again once the codemod that finds its sites changed."""
    import json
    import os
    import subprocess
    import sys

    path = repo(tmp_path)
    env = {**os.environ, "PHASEGATE_NO_REPLAY": "1"}

    def found() -> int:
        proc = subprocess.run([sys.executable, "-m", "phasegate", "detect", "--config",
                               str(path), "--format", "json"], capture_output=True, text=True,
                              env=env, timeout=120, check=False)
        return len(json.loads(proc.stdout)["violations"])

    assert found() == 1
    codemod = path.parent / "tools/codemods/make_fast.py"
    codemod.write_text(codemod.read_text().replace('self.report(original_node, "call")',
                                                   "pass  # reports nothing now"))
    assert found() == 0
