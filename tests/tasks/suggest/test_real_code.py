"""suggest on real code: every @deprecated function and class gets a rule, every `new` exists.

Two real trees: a vendored subset of pydantic 2.9.2 (PEP 702 ``@deprecated`` throughout,
tests/data/suggest) and the installed jsonschema (module ``__getattr__`` shims that warn,
module-level warnings). The expected counts come from a plain ast walk written here, not from
suggest's own code.
"""

from __future__ import annotations

import ast
import importlib
import shutil
from pathlib import Path

import jsonschema

from phasegate.suggest.model import Suggestion

from .conftest import PHASES, run_suggest

DATA = Path(__file__).resolve().parents[2] / "data" / "suggest" / "pydantic-2.9.2"


def _decorated(root: Path) -> tuple[set[str], set[str]]:
    """Module-level functions/classes, and methods, decorated with ``...deprecated(...)``."""
    top: set[str] = set()
    methods: set[str] = set()
    for path in root.rglob("*.py"):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_bytes())):
            if not isinstance(node, ast.ClassDef | ast.Module):
                continue
            owner = module if isinstance(node, ast.Module) else f"{module}.{node.name}"
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.ClassDef) and any(
                        "deprecated" in ast.unparse(d) for d in item.decorator_list):
                    (top if isinstance(node, ast.Module) else methods).add(f"{owner}.{item.name}")
    return top, methods


def _exists(qual: str, root: Path) -> bool:
    """Import the longest importable module prefix and getattr the rest; for a tree that is not
    installed, the name must be bound at the top of its module's file."""
    parts = qual.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        path = root.joinpath(*parts[:cut])
        for source in (path / "__init__.py", path.with_suffix(".py")):
            if source.is_file():
                rest = parts[cut:]
                if not rest:
                    return True
                tree = ast.parse(source.read_bytes())
                return rest[0] in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
                    n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        try:
            obj = importlib.import_module(module)
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def _tree(tmp_path: Path, source: Path, name: str) -> dict[str, Suggestion]:
    shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "phases.toml").write_text(PHASES)
    report = run_suggest(tmp_path / "phases.toml", uses=True)
    assert report.problems == []
    return {s.old: s for s in report.suggestions}


def test_pydantic_deprecated_recall(tmp_path: Path) -> None:
    found = _tree(tmp_path, DATA / "pydantic", "pydantic")
    top, methods = _decorated(tmp_path)
    assert len(top) >= 10  # the subset is what it claims to be
    missing = sorted(q for q in top if q not in found or not found[q].supported)
    assert missing == []  # recall 100%: each decorated function and class gets a rule
    assert all(found[q].confidence == "high" for q in top)
    for qual in methods:
        assert found[qual].target == "method" and not found[qual].supported
    for sugg in found.values():
        if sugg.new:
            assert _exists(sugg.new, tmp_path), sugg.new
        else:
            assert sugg.reason  # never an empty replacement without a reason
    parse = found["pydantic.deprecated.tools.parse_obj_as"]
    assert parse.new == "" and "an attribute of pydantic.TypeAdapter" in parse.reason \
        or "not importable" in parse.reason


def test_jsonschema_getattr_shims(tmp_path: Path) -> None:
    found = _tree(tmp_path, Path(jsonschema.__file__).parent, "jsonschema")
    assert found["jsonschema.ErrorTree"].new == "jsonschema.exceptions.ErrorTree"
    assert found["jsonschema.ErrorTree"].kind == "move"
    news = [s.new for s in found.values() if s.new]
    assert len(news) >= 3
    for new in news:
        assert _exists(new, tmp_path), new
