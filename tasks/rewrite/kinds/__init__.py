"""The built-in rule kinds, one module each (found automatically, like the custom codemods)."""

from __future__ import annotations

import pkgutil


def names() -> tuple[str, ...]:
    """The built-in kinds' module names: ``move``, ``module``, ``call``."""
    return tuple(sorted(i.name for i in pkgutil.iter_modules(__path__)
                        if not i.name.startswith("_")))
