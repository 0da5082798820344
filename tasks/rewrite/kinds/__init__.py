"""The built-in rule kinds, one module each; every module registers its kind in
``phasegate.config.kinds.KINDS`` (found by module name, like the custom codemods)."""

from __future__ import annotations

import pkgutil


def names() -> tuple[str, ...]:
    """The built-in kinds' module names: ``call``, ``codemod``, ``module``, ``move``."""
    return tuple(sorted(i.name for i in pkgutil.iter_modules(__path__)
                        if not i.name.startswith("_")))
