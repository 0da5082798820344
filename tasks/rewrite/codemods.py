"""Custom codemods, one per module in ``codemods/``, found automatically (no hand-kept list)."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from .. import codemods


def names() -> tuple[str, ...]:
    """Ids of every custom codemod: the module names in ``codemods/`` not starting with '_'."""
    return tuple(sorted(
        info.name for info in pkgutil.iter_modules(codemods.__path__)
        if not info.name.startswith("_")
    ))


def load(name: str) -> ModuleType:
    """Import the codemod module ``codemods.<name>``."""
    return importlib.import_module(f"{codemods.__name__}.{name}")
