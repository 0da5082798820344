"""Custom codemods: the bundled ones (``phasegate.codemods``) and a project's own
(``[project] codemods = "tools/codemods"``), one per module, found automatically (no hand-kept
list); the module name is the codemod's id. And the runner every ``codemod`` rule goes through.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from .. import codemods
from ..config import Rule
from .model import Site

if TYPE_CHECKING:
    import libcst as cst

PROJECT_PACKAGE = "phasegate_project_codemods"  # where a project's codemods are imported


def names() -> tuple[str, ...]:
    """Ids of the bundled codemods: the module names in ``codemods/`` not starting with '_'."""
    return codemods.bundled()


def project_files(folder: Path) -> dict[str, Path]:
    return codemods.project_files(folder)


def load(name: str, path: str = "") -> ModuleType:
    """The codemod module: ``phasegate.codemods.<name>``, or the project file at ``path``."""
    if not path:
        return importlib.import_module(f"{codemods.__name__}.{name}")
    dotted = f"{PROJECT_PACKAGE}.{name}"
    loaded = sys.modules.get(dotted)
    if loaded is not None and getattr(loaded, "__file__", None) == path:
        return loaded
    spec = importlib.util.spec_from_file_location(dotted, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load codemod '{name}' from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[dotted] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[dotted]
        raise
    return module


def run_codemod(tree: cst.Module, rule: Rule, path: str,
                package: str = "") -> tuple[cst.Module, list[Site], bool]:
    """Run the custom codemod a rule names on ``tree``; its sites are reported for ``rule``."""
    mod = load(rule.codemod, rule.codemod_path)
    transformer = mod.Codemod(rule, package)
    from libcst.metadata import MetadataWrapper  # late: detect and config load this module

    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    new = wrapper.visit(transformer)
    sites = [Site(path, line, col, rule.id, kind, reason)
             for line, col, kind, reason in transformer.sites]
    return new, sites, not new.deep_equals(tree)
