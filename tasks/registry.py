"""Registries: rule kinds, gates and report formats each register themselves, from their own
module, instead of being listed by hand in the places that dispatch on them.

A registry holds named entries (any object with a ``name``). The built-in entries are the modules
of one package, imported by name (``pkgutil`` + ``importlib``, as pyupgrade finds its fixers) the
first time the registry is read; code outside phasegate (a project's plugin, a test) adds its own
with :meth:`Registry.register`. Importing the modules by name keeps the import graph acyclic: the
registry never imports its entries' modules statically, so they may import anything below it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar


class Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """Named entries of one sort; ``package`` is the dotted package whose modules register the
    built-in ones (every module not starting with ``_``)."""

    def __init__(self, what: str, package: str) -> None:
        self.what = what
        self.package = package
        self._entries: dict[str, T] = {}
        self._loaded = False

    def register(self, entry: T, *, replace: bool = False) -> T:
        """Add ``entry``; a second entry of the same name is an error unless ``replace``."""
        if entry.name in self._entries and not replace:
            raise ValueError(f"{self.what} '{entry.name}' is registered twice")
        self._entries[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def get(self, name: str) -> T | None:
        self._load()
        return self._entries.get(name)

    def names(self) -> tuple[str, ...]:
        self._load()
        return tuple(self._entries)

    def __iter__(self) -> Iterator[T]:
        self._load()
        return iter(list(self._entries.values()))

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._entries

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        package = importlib.import_module(self.package)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if not info.name.startswith("_"):
                importlib.import_module(f"{self.package}.{info.name}")
