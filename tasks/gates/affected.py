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

import json
import os
import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..discover import module_name

_CACHE_VERSION = "graph-3"  # bump when what counts as an import changes


@dataclass
class Graph:
    modules: dict[str, str] = field(default_factory=dict)  # dotted module -> file
    importers: dict[str, set[str]] = field(default_factory=dict)  # file -> files importing it


# Imports are found by a byte scan, not a parse: on a large tree parsing and walking every
# file costs seconds, and the graph only needs module names. The scan may over-report (an
# "import x" line inside a docstring adds an edge), which only selects more tests, never fewer.
_IMPORT = re.compile(rb"^[ \t]*import[ \t]+([^\n#]+)", re.M)
_FROM = re.compile(
    rb"^[ \t]*from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]*\bimport\b[ \t]*(\([^)]*\)|[^\n#]*)", re.M)
_CALL = re.compile(rb"""\b(?:import_module|__import__)\(\s*(['"])([\w.]+)\1""")
_PLUGINS = re.compile(rb"""^pytest_plugins\s*=\s*(\[[^\]]*\]|\([^)]*\)|['"][\w.]+['"])""", re.M)
_QUOTED = re.compile(rb"""['"]([\w.]+)['"]""")
_COMMENT = re.compile(rb"#[^\n]*")


def named_modules(source: bytes, package: str) -> set[str]:
    """Every dotted name an import in ``source`` may load (prefixes included)."""
    data = source.replace(b"\\\n", b" ").replace(b";", b"\n")
    out: set[str] = set()
    for match in _IMPORT.finditer(data):
        for name in _names(match.group(1)):
            out.update(_prefixes(name))
    for match in _FROM.finditer(data):
        level = len(match.group(1))
        base = absolute_module(match.group(2).decode("ascii", "replace"), level, package)
        if base is None:
            continue
        if base:
            out.update(_prefixes(base))
        for name in _names(match.group(3)):
            if name != "*":
                out.add(f"{base}.{name}" if base else name)
    literal = [m.group(2) for m in _CALL.finditer(data)]
    for match in _PLUGINS.finditer(data):
        literal += [q.group(1) for q in _QUOTED.finditer(match.group(1))]
    for raw in literal:
        out.update(_prefixes(raw.decode("ascii", "replace")))
    return {name for name in out if name}


def _names(clause: bytes) -> list[str]:
    """``a.b as c, d`` or ``(x,  # note\n y)`` -> ['a.b', 'd'] / ['x', 'y']."""
    text = _COMMENT.sub(b"", clause).strip().strip(b"()")
    out = []
    for item in text.split(b","):
        words = item.split()
        if words:
            out.append(words[0].decode("ascii", "replace"))
    return out


def _prefixes(dotted: str) -> list[str]:
    parts = dotted.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def absolute_module(module: str, level: int, package: str) -> str | None:
    """The absolute module of a (maybe relative) ``from`` import, or None if it climbs too far.

    Unlike ``semantics.scopes.resolve_relative`` (what a rewrite relies on, so it refuses), a
    relative import that climbs exactly to the top gives ``""``, and the caller takes its names
    as top-level modules: pytest's rootdir insertion makes a test file's siblings top-level, and
    for the affected-test graph a spare edge only selects one test file more, where a missing
    one could leave out a test that breaks."""
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
    return named_modules(data, package_of(rel, src)[1])


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
