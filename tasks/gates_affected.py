"""Affected-test selection: the repo's import graph, and the test files a change can reach.

grimp was considered: ``grimp.build_graph`` needs every root to be an importable package on
sys.path, and test directories are often not packages (pytest's rootdir-relative imports), so
this is a small ast-based graph over the files :func:`tasks.discover.discover` lists instead.
A file imports a module when it names it (``import a.b`` names ``a`` and ``a.b``; ``from a
import b`` names ``a`` and, if it is a module, ``a.b``), or names it in a literal string given
to ``importlib.import_module`` / ``__import__`` or in a conftest's ``pytest_plugins``. Other
dynamic imports are not followed: that is why ``--all-tests`` exists and why mission-critical
always runs in full.
"""

from __future__ import annotations

import ast
import json
import os
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tasks.discover import module_name

_CACHE_VERSION = "graph-2"  # bump when what counts as an import changes


@dataclass
class Graph:
    modules: dict[str, str] = field(default_factory=dict)  # dotted module -> file
    importers: dict[str, set[str]] = field(default_factory=dict)  # file -> files importing it


def named_modules(tree: ast.AST, package: str) -> set[str]:
    """Every dotted name an import in ``tree`` may load (prefixes included)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.update(_prefixes(alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node.module or "", node.level, package)
            if base is None:
                continue
            if base:
                out.update(_prefixes(base))
            for alias in node.names:
                if alias.name != "*":
                    out.add(f"{base}.{alias.name}" if base else alias.name)
        else:
            for name in _string_imports(node):
                out.update(_prefixes(name))
    return out


def _string_imports(node: ast.AST) -> list[str]:
    """Modules named by literal strings: ``importlib.import_module("a.b")``,
    ``__import__("a")`` and conftest's ``pytest_plugins = ["a.plugin"]``."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        arg = node.args[0]
        if called in ("import_module", "__import__") and isinstance(arg, ast.Constant) \
                and isinstance(arg.value, str) and not arg.value.startswith("."):
            return [arg.value]
    if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets):
        values = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) \
            else [node.value]
        return [v.value for v in values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return []


def _prefixes(dotted: str) -> list[str]:
    parts = dotted.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def absolute_module(module: str, level: int, package: str) -> str | None:
    """The absolute module of a (maybe relative) ``from`` import, or None if it climbs too far."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def package_of(rel: str, src: Sequence[str]) -> tuple[str, str]:
    dotted, is_pkg = module_name(rel, src)
    package = dotted if is_pkg else dotted.rpartition(".")[0]
    return dotted, package


def _rootdir_alias(root: Path, rel: str) -> str:
    """The name pytest's rootdir-insertion gives a file: relative to its first non-package dir."""
    parts = rel[:-3].split("/")
    base = len(parts) - 1
    while base > 0 and (root / "/".join(parts[:base]) / "__init__.py").is_file():
        base -= 1
    names = parts[base:]
    if names and names[-1] == "__init__":
        names = names[:-1]
    return ".".join(names)


def build(root: Path, files: Sequence[str], src: Sequence[str], *,
          cache: Path | None = None) -> Graph:
    """The reverse import graph of ``files`` (only edges between files of the repo)."""
    py = [f for f in files if f.endswith(".py")]
    graph = Graph()
    for rel in py:
        graph.modules.setdefault(module_name(rel, src)[0], rel)
    for rel in py:
        graph.modules.setdefault(_rootdir_alias(root, rel), rel)
    names = _all_imports(root, py, src, cache)
    for rel in py:
        for name in names.get(rel, ()):
            target = graph.modules.get(name)
            if target is not None and target != rel:
                graph.importers.setdefault(target, set()).add(rel)
    return graph


def _all_imports(root: Path, files: Sequence[str], src: Sequence[str],
                 cache: Path | None) -> dict[str, list[str]]:
    """Imported names per file, reusing a cache keyed by size and mtime."""
    version = "\0".join([_CACHE_VERSION, *src])
    old = _load_cache(cache, version)
    new: dict[str, dict[str, object]] = {}
    out: dict[str, list[str]] = {}
    for rel in files:
        try:
            st = os.stat(root / rel)
        except OSError:
            continue
        stamp = f"{st.st_size}:{st.st_mtime_ns}"
        entry = old.get(rel)
        if entry is not None and entry.get("stamp") == stamp:
            names = list(entry.get("names", []))  # type: ignore[call-overload]
        else:
            names = sorted(_imports_of(root / rel, rel, src))
        out[rel] = names
        new[rel] = {"stamp": stamp, "names": names}
    _save_cache(cache, version, new)
    return out


def _imports_of(path: Path, rel: str, src: Sequence[str]) -> set[str]:
    try:
        data = path.read_bytes()
    except OSError:
        return set()
    if b"import" not in data:
        return set()
    try:
        tree = ast.parse(data, filename=rel)
    except (SyntaxError, ValueError):
        return set()  # a file that does not parse imports nothing we can know of
    return named_modules(tree, package_of(rel, src)[1])


def _load_cache(cache: Path | None, version: str) -> dict[str, dict[str, object]]:
    """The cached entries, if the cache was written by this engine for these src roots."""
    if cache is None:
        return {}
    try:
        data = json.loads(cache.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != version:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _save_cache(cache: Path | None, version: str, data: dict[str, dict[str, object]]) -> None:
    if cache is None:
        return
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": version, "files": data}), "utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # a cache that cannot be written only costs time


def reachable(graph: Graph, changed: Iterable[str]) -> set[str]:
    """Every file that imports a changed file, directly or transitively (changed included)."""
    seen = set(changed)
    queue = deque(seen)
    while queue:
        for importer in graph.importers.get(queue.popleft(), ()):
            if importer not in seen:
                seen.add(importer)
                queue.append(importer)
    return seen


def select(graph: Graph, changed: Iterable[str], tests: Sequence[str]) -> list[str] | None:
    """The test files to run, or None when the change cannot be traced (run them all)."""
    changed = list(changed)
    if any(not c.endswith(".py") for c in changed):
        return None
    hit = reachable(graph, changed)
    dirs = [c.rpartition("/")[0] for c in hit if c.rsplit("/", 1)[-1] == "conftest.py"]
    return sorted(t for t in tests if t in hit or any(_under(t, d) for d in dirs))


def _under(rel: str, directory: str) -> bool:
    return not directory or rel.startswith(directory + "/")
