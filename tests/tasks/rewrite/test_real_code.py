"""The differential test on real code (tests/data: google-auth's tests, rich's modules, pinned
from PyPI): phasegate with move rules for the ``typing`` ABCs and a module rule ``mock`` ->
``unittest.mock`` against ``ruff check --select UP035,UP026 --fix``, file by file. Every file
phasegate changes parses, imports the moved names from their new place, binds the same local
names as before, and its diff is no larger than ruff's; where phasegate does more (it also
rewrites ``typing.X`` attribute uses, which UP035 leaves alone) the test says which files.
Then the property: detect after the migration finds nothing fixable, and a second plan changes
nothing."""

from __future__ import annotations

import ast
import difflib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate.detect.engine import detect
from phasegate.plan import build_plan

DATA = Path(__file__).resolve().parents[2] / "data" / "rewrite"
ABCS = ("AsyncGenerator", "AsyncIterable", "AsyncIterator", "Awaitable", "Callable",
        "Collection", "Container", "Coroutine", "Generator", "Hashable", "ItemsView", "Iterable",
        "Iterator", "KeysView", "Mapping", "MappingView", "MutableMapping", "MutableSequence",
        "MutableSet", "Reversible", "Sequence", "Sized", "ValuesView")
MOVE = '[rules.{n}]\nkind = "move"\nold = "typing.{n}"\nnew = "collections.abc.{n}"\n\n'
RULES = "".join(MOVE.format(n=n) for n in ABCS) + \
    '[rules.mock]\nkind = "module"\nold = "mock"\nnew = "unittest.mock"\n'
PHASES = f"""[project]
root = "."

{RULES}
[phases.p0]
files = ["**/*.py"]
rules = [{", ".join(f'"{n}"' for n in ABCS)}, "mock"]
"""
# files where phasegate does more than ruff: typing.X attribute uses rewritten too
DOES_MORE: dict[str, str] = {}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, bytes, bytes]]:
    """path -> (original, phasegate's, ruff's) for every vendored file."""
    root = tmp_path_factory.mktemp("real")
    shutil.copytree(DATA, root / "ours")
    shutil.copytree(DATA, root / "ruff")
    (root / "ours" / "phases.toml").write_text(PHASES)
    subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select",
                    "UP035,UP026", "--fix", "--target-version", "py311", "--no-cache",
                    "--exit-zero", "--quiet", "."], cwd=root / "ruff", check=True,
                   capture_output=True)
    config, _ = config_mod.load(root / "ours" / "phases.toml")
    plan = build_plan(config, "p0", jobs=2)
    assert plan.failures == []
    for change in plan.changes:
        (root / "ours" / change.path).write_bytes(change.after)
    out = {}
    for path in sorted(DATA.rglob("*.py")):
        rel = path.relative_to(DATA).as_posix()
        out[rel] = (path.read_bytes(), (root / "ours" / rel).read_bytes(),
                    (root / "ruff" / rel).read_bytes())
    return out


def _changed_lines(a: bytes, b: bytes) -> int:
    return sum(1 for ln in difflib.unified_diff(a.decode().splitlines(), b.decode().splitlines(),
                                                lineterm="", n=0)
               if ln[:1] in "+-" and not ln.startswith(("+++", "---")))


def _bindings(data: bytes) -> set[str]:
    """Every local name an import statement of the file binds."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(data)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update(a.asname or a.name.split(".")[0] for a in node.names)
    return out


def _imported(data: bytes) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(data)):
        if isinstance(node, ast.ImportFrom):
            out.update((node.module or "", a.name) for a in node.names)
        elif isinstance(node, ast.Import):
            out.update((a.name, "") for a in node.names)
    return out


def test_every_changed_file_is_correct_and_no_larger_than_ruffs(
        migrated: dict[str, tuple[bytes, bytes, bytes]]) -> None:
    changed = {rel for rel, (before, ours, _) in migrated.items() if ours != before}
    assert len(changed) == len(migrated)  # the subset was chosen for these rules
    larger = {}
    for rel in sorted(changed):
        before, ours, ruff = migrated[rel]
        ast.parse(ours)
        was = _imported(before)
        now = _imported(ours)
        for name in ABCS:
            if ("typing", name) in was:
                assert ("collections.abc", name) in now and ("typing", name) not in now, rel
        if ("mock", "") in was:
            assert ("unittest", "mock") in now and ("mock", "") not in now, rel
        extra = _bindings(ours) - _bindings(before)
        if rel not in DOES_MORE:
            assert _bindings(ours) == _bindings(before), rel
        else:
            assert extra <= {"collections"}, rel
        if _changed_lines(before, ours) > _changed_lines(before, ruff):
            larger[rel] = (_changed_lines(before, ours), _changed_lines(before, ruff))
    assert {rel: "typing.X uses" for rel in larger} == DOES_MORE, larger


def test_detect_after_finds_nothing_and_a_second_run_changes_nothing(
        migrated: dict[str, tuple[bytes, bytes, bytes]], tmp_path: Path) -> None:
    for rel, (_, ours, _) in migrated.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(ours)
    (tmp_path / "phases.toml").write_text(PHASES)
    config, _ = config_mod.load(tmp_path / "phases.toml")
    result = detect(config, use_cache=False)
    assert [v for v in result.violations if v.fixable] == []
    assert build_plan(config, "p0", jobs=2).changes == []
