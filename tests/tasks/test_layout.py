"""The package's shape: no import cycle (function-level imports included), every module imports
on its own in a fresh interpreter, and no module is long without saying why."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROOTS = {"phasegate": REPO / "tasks", "phasegate.codemods": REPO / "codemods"}
MAX_LINES = 300
LONG_MARKER = "Why this module is long:"


def modules() -> dict[str, Path]:
    """Dotted name -> file, for every module phasegate installs (as the package-dir maps them)."""
    out: dict[str, Path] = {}
    for top, root in ROOTS.items():
        for path in sorted(root.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join([top, *parts])] = path
    return out


def _resolve(name: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of import nodes under ``if TYPE_CHECKING:`` (not imported at run time)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            out |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return out


def import_graph() -> dict[str, set[str]]:
    """module -> the phasegate modules it imports anywhere in its body (functions included)."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        tree = ast.parse(path.read_bytes())
        skip = _type_checking_only(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, path, node)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                           for a in node.names]
            graph[name] |= {t for t in targets if t in known and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_relative_and_function_level_imports() -> None:
    graph = import_graph()
    assert "phasegate.config.load" in graph["phasegate.config"]  # from .load import ...
    assert "phasegate.plan" in graph["phasegate.commands.plan"]  # imported inside a function
    assert len(graph) > 60


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_another_in_a_cycle() -> None:
    assert cycles(import_graph()) == []


DRIVER = """
import importlib, os, sys
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:  # a child that has imported nothing of phasegate: a fresh interpreter's state
        try:
            importlib.import_module(name)
        except BaseException as exc:
            print(f"{name}: {type(exc).__name__}: {exc}", flush=True)
            os._exit(1)
        os._exit(0)
    if os.waitpid(pid, 0)[1]:
        failed.append(name)
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_on_its_own() -> None:
    names = sorted(modules())
    proc = subprocess.run([sys.executable, "-c", DRIVER, *names], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONWARNINGS": "error"})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_module_is_long_without_saying_why() -> None:
    long = []
    for name, path in modules().items():
        source = path.read_text()
        doc = ast.get_docstring(ast.parse(source)) or ""
        if source.count("\n") > MAX_LINES and LONG_MARKER not in doc:
            long.append(f"{name}: {source.count(chr(10))} lines")
    assert long == [], f"split them, or say in the docstring '{LONG_MARKER} ...'"
