"""Affected-test selection on a small import graph (no subprocess: pure ast)."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate.gates import affected as gates_affected

GRAPH = {
    "src/pkg/__init__.py": "from pkg.api import public\n",
    "src/pkg/api.py": "from .core import engine\n\ndef public():\n    return engine()\n",
    "src/pkg/core.py": "from . import util\n\ndef engine():\n    return util.x\n",
    "src/pkg/util.py": "x = 1\n",
    "src/pkg/sub/__init__.py": "",
    "src/pkg/sub/deep.py": "from ..util import x\n",
    "src/pkg/lonely.py": "import json\n",
    "src/pkg/dynamic.py": "import importlib\nmod = importlib.import_module('pkg.lonely')\n",
    "tests/conftest.py": "",
    "tests/helpers.py": "import pkg.sub.deep\n",
    "tests/test_api.py": "from pkg import public\n",
    "tests/test_deep.py": "import helpers\n",
    "tests/test_lonely.py": "from pkg.lonely import *\n",
    "tests/test_nothing.py": "def test_x():\n    pass\n",
    "tests/fixtures/conftest.py": "from pkg.lonely import json\n",
    "tests/fixtures/test_fix.py": "",
}
EVERY_PKG_TEST = ["tests/fixtures/test_fix.py", "tests/test_api.py", "tests/test_deep.py",
                  "tests/test_lonely.py"]
TESTS = sorted(f for f in GRAPH if f.rsplit("/", 1)[-1].startswith("test_"))


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> gates_affected.Graph:
    root = tmp_path_factory.mktemp("graph")
    for rel, text in GRAPH.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return gates_affected.build(root, sorted(GRAPH), ["src"])


@pytest.mark.parametrize(("changed", "expected"), [
    # pkg/__init__ imports api -> core -> util, and importing any pkg.* module runs
    # pkg/__init__ first: so util and api reach every test that touches pkg at all
    (["src/pkg/util.py"], EVERY_PKG_TEST),
    (["src/pkg/api.py"], EVERY_PKG_TEST),
    (["src/pkg/sub/deep.py"], ["tests/test_deep.py"]),  # via the rootdir module 'helpers'
    # a star import still names the module; the conftest of fixtures/ pulls in its directory
    (["src/pkg/lonely.py"], ["tests/fixtures/test_fix.py", "tests/test_lonely.py"]),
    (["tests/test_nothing.py"], ["tests/test_nothing.py"]),  # a changed test file runs itself
    (["tests/conftest.py"], TESTS),  # a changed conftest affects its whole directory
    (["src/pkg/dynamic.py"], []),  # nothing imports it statically
])
def test_selection_follows_imports_transitively(graph: gates_affected.Graph, changed: list[str],
                                                expected: list[str]) -> None:
    assert gates_affected.select(graph, changed, TESTS) == expected


def test_a_non_python_change_selects_everything(graph: gates_affected.Graph) -> None:
    assert gates_affected.select(graph, ["src/pkg/data.json"], TESTS) is None


@pytest.mark.parametrize(("source", "package", "names"), [
    ("import a.b.c", "", {"a", "a.b", "a.b.c"}),
    ("from a.b import c, d", "", {"a", "a.b", "a.b.c", "a.b.d"}),
    ("from . import x", "p.q", {"p", "p.q", "p.q.x"}),
    ("from ..m import y", "p.q", {"p", "p.m", "p.m.y"}),
    ("from .... import z", "p", set()),  # climbs above the top: ignored
    ("def f():\n    import lazy\n", "", {"lazy"}),  # imports inside functions count
    ("import importlib\nimportlib.import_module('p.plug')", "", {"importlib", "p", "p.plug"}),
    ("__import__('q')", "", {"q"}),
    ("pytest_plugins = ['p.fixtures', 'r']", "", {"p", "p.fixtures", "r"}),
    ("import_module(name)", "", set()),  # not a literal: cannot be followed
    ("from a import (\n    b,  # why\n    c as d,\n)\n", "", {"a", "a.b", "a.c"}),
    ("from a import b, \\\n    c\n", "", {"a", "a.b", "a.c"}),
    ("import x; import y.z as w", "", {"x", "y", "y.z"}),
    ("from .. import up", "p.q", {"p", "p.up"}),
    ("from .sib import *", "p", {"p", "p.sib"}),
    ("# import commented\nx = 'no import here'\n", "", set()),
])
def test_named_modules(source: str, package: str, names: set[str]) -> None:
    assert gates_affected.named_modules(source.encode(), package) == names


def test_the_cache_is_reused_and_refreshed(tmp_path: Path) -> None:
    root = tmp_path / "r"
    (root / "m").mkdir(parents=True)
    (root / "m/__init__.py").write_text("")
    (root / "m/a.py").write_text("x = 1\n")
    (root / "m/b.py").write_text("from m import a\n")
    cache = tmp_path / "graph.json"
    files = ["m/__init__.py", "m/a.py", "m/b.py"]
    first = gates_affected.build(root, files, ["."], cache=cache)
    assert first.importers["m/a.py"] == {"m/b.py"}
    assert cache.is_file()
    (root / "m/b.py").write_text("import os\n# no longer imports a\n")
    again = gates_affected.build(root, files, ["."], cache=cache)
    assert "m/a.py" not in again.importers
