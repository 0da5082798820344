"""Custom libcst codemods, one per module; each module's name is its id in phases.toml.

A ``kind = "codemod"`` rule names one of these modules (``codemod = "rename_kwarg"``) and passes
it options (``[rules.<id>.options]``). Modules starting with ``_`` are helpers, not codemods.

The interface (what :func:`phasegate.rewrite.codemods.run_codemod` relies on) -- each module has:

* a docstring: what it does, why, an example, its known limits;
* ``Codemod``: a subclass of :class:`codemods._base.RuleCodemod` (a ``libcst.CSTTransformer``),
  built as ``Codemod(rule, package)`` where ``rule`` is the :class:`tasks.config.Rule` (its
  ``old``, ``new`` and ``options``) and ``package`` the dotted package of the file (to resolve
  relative imports). It runs through a ``MetadataWrapper``, so it may declare
  ``METADATA_DEPENDENCIES`` (``PositionProvider`` and ``QualifiedNameProvider`` are already
  declared). For every site it rewrites it calls ``self.report(node, kind)``; for every site it
  must leave to a person, ``self.report(node, kind, reason)``. It never writes files;
* ``EXAMPLES``: ``{stable id: tasks.rewrite.Example(rule=..., before=..., after=...,
  manual=(reasons...))}``, collected by one parametrized test (tests/tasks/rewrite/
  test_examples.py) and by ``phasegate codemods test``, so the codemod is its own spec.

A project keeps its own codemods in its repo (``[project] codemods = "tools/codemods"``, relative
to phases.toml): the same interface, one ``<id>.py`` per codemod (``_`` helpers skipped), found
the same way; an id that clashes with a bundled one is a configuration error.

Codemod rules run after the built-in kinds (move, module, call) of the same phase, in the
phase's rule order, on the already rewritten tree of the same single parse.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path


def bundled() -> tuple[str, ...]:
    """Ids of the bundled codemods: this package's modules not starting with '_'."""
    return tuple(sorted(i.name for i in pkgutil.iter_modules(__path__)
                        if not i.name.startswith("_")))


def project_files(folder: Path) -> dict[str, Path]:
    """A project's own codemods (``[project] codemods``): id -> file, for every ``<id>.py`` in
    ``folder`` not starting with '_', found like the bundled ones."""
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.py"))
            if not p.stem.startswith("_") and p.stem.isidentifier()}
