"""Turn the names a marker gives into qualified names, and check that they name something.

A name is looked up, in order: through the file's imports and definitions; as a dotted name of a
project module; as a sibling module of the file's package (``websocket_manager.X`` in
``websocket_core``); as the one definition of that name in the project; as a module of an
installed distribution. Existence is checked statically: the module's source is parsed (never
imported) and the name must be bound at its top level (or listed in its ``__all__``).
"""

from __future__ import annotations

import builtins
import functools
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from .markers import file_facts
from .model import FileFacts

_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Found:
    qual: str  # "" when not found
    kind: str = ""  # module | class | function | value
    how: str = ""  # how it was resolved, for the evidence
    reason: str = ""  # why not, when qual is ""


@dataclass
class Project:
    """The project's modules, with facts parsed on demand."""

    root: Path
    modules: dict[str, str]  # dotted module -> path relative to the root
    facts: dict[str, FileFacts] = field(default_factory=dict)  # by module
    definitions: dict[str, list[str]] = field(default_factory=dict)  # name -> qualified defs
    wanted: set[str] = field(default_factory=set)  # names looked up and not defined (yet)
    _external: dict[str, FileFacts | None] = field(default_factory=dict)

    def add(self, facts: FileFacts) -> None:
        self.facts[facts.module] = facts
        for name, kind in facts.defs:
            if kind in ("class", "function", "value"):
                self.definitions.setdefault(name, []).append(f"{facts.module}.{name}")

    def module_facts(self, module: str) -> FileFacts | None:
        if module in self.facts:
            return self.facts[module]
        rel = self.modules.get(module)
        if rel is not None:
            try:
                data = (self.root / rel).read_bytes()
            except OSError:
                return None
            facts = file_facts(data, rel, module, rel.endswith("__init__.py"))
            self.facts[module] = facts
            return facts
        return self._external_facts(module)

    def _external_facts(self, module: str) -> FileFacts | None:
        if module not in self._external:
            path = _external_source(module)
            facts = None
            if path is not None:
                try:
                    facts = file_facts(path.read_bytes(), str(path), module,
                                       path.name == "__init__.py")
                except OSError:
                    facts = None
            self._external[module] = facts
        return self._external[module]

    def is_module(self, name: str) -> bool:
        return name in self.modules or (name.split(".")[0] not in self._top_levels
                                        and _external_source(name) is not None)

    @functools.cached_property
    def _top_levels(self) -> set[str]:
        return {m.split(".")[0] for m in self.modules}

    # -- lookups ----------------------------------------------------------------------------
    def resolve(self, name: str, facts: FileFacts) -> Found:
        """Qualify a name written in ``facts``'s file and check that it exists."""
        head, _, rest = name.partition(".")
        bindings = dict(facts.bindings)
        tried: list[str] = []
        if head in bindings:
            tried.append(f"{bindings[head]}.{rest}" if rest else bindings[head])
        tried.append(name)
        if facts.package and rest and f"{facts.package}.{head}" in self.modules:
            tried.append(f"{facts.package}.{name}")  # a sibling module: websocket_manager.X
        for qual in tried:
            found = self.check(qual)
            if found.qual:
                return Found(found.qual, found.kind,
                             "import" if qual == tried[0] and head in bindings else "name")
        unique = self._unique(name)
        if unique.qual:
            return unique
        first = self.check(tried[0])
        return Found("", reason=first.reason if head in bindings or "." in name
                     else unique.reason)

    def _unique(self, name: str) -> Found:
        last = name.rsplit(".", 1)[-1]
        quals = [q for q in self.definitions.get(last, []) if q.endswith(f".{name}")]
        if len(quals) == 1:
            found = self.check(quals[0])
            return Found(found.qual, found.kind, "the one definition in the project",
                         found.reason)
        if name not in _BUILTINS:
            self.wanted.add(name)
        if quals:
            return Found("", reason=f"'{name}' is defined {len(quals)} times in the project "
                                    f"({', '.join(sorted(quals)[:3])}): ambiguous")
        return Found("", reason=f"'{name}' is neither imported in the file nor defined in the "
                                "project, and no installed module has it")

    def check(self, qual: str, depth: int = 0) -> Found:
        """Whether ``qual`` names a module or an object bound at a module's top level."""
        parts = qual.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if not self.is_module(module):
                continue
            return self._member(module, parts[cut:], qual, depth)
        return Found("", reason=f"'{qual}' is not importable: no module "
                                f"'{parts[0]}' in the project or the environment")

    def _member(self, module: str, rest: list[str], qual: str, depth: int) -> Found:
        if not rest:
            return Found(qual, "module")
        facts = self.module_facts(module)
        if facts is None:
            return Found("", reason=f"'{qual}': module {module} has no Python source to check")
        kind = dict(facts.defs).get(rest[0])
        if kind is None:
            if self.is_module(f"{module}.{rest[0]}"):
                return self._member(f"{module}.{rest[0]}", rest[1:], qual, depth)
            return Found("", reason=f"'{qual}': {module} has no '{rest[0]}'")
        if kind == "import" and depth < 8:
            target = dict(facts.bindings)[rest[0]]
            found = self.check(".".join([target, *rest[1:]]), depth + 1)
            return Found(found.qual and qual, found.kind, found.how, found.reason)
        if len(rest) > 1:
            return Found("", reason=f"'{qual}' is an attribute of {module}.{rest[0]} (a method or"
                                    " class attribute): replacing a call by it needs type "
                                    "information")
        return Found(qual, "value" if kind == "export" else kind)


@functools.lru_cache(maxsize=4096)
def _external_source(module: str) -> Path | None:
    """The source file of an installed module, found without importing anything."""
    top, *sub = module.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if not sub:
        return Path(spec.origin) if spec.origin and spec.origin.endswith(".py") else None
    for base in spec.submodule_search_locations or ():
        path = Path(base, *sub)
        for candidate in (path / "__init__.py", path.with_suffix(".py")):
            if candidate.is_file():
                return candidate
    return None


def module_map(files: list[str], src: tuple[str, ...]) -> dict[str, str]:
    from ..discover import module_name

    out: dict[str, str] = {}
    for rel in files:
        module, _ = module_name(rel, src)
        out.setdefault(module, rel)
    return out

