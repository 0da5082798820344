"""Custom libcst codemods, one per module; each module's name is its id in phases.toml.

A ``kind = "codemod"`` rule names one of these modules (``codemod = "rename_kwarg"``) and passes
it options (``[rules.<id>.options]``). Modules starting with ``_`` are helpers, not codemods.

The interface (what :func:`tasks.rewrite.engine.run_codemod` relies on) -- each module has:

* a docstring: what it does, why, an example, its known limits;
* ``Codemod``: a subclass of :class:`codemods._base.RuleCodemod` (a ``libcst.CSTTransformer``),
  built as ``Codemod(rule, package)`` where ``rule`` is the :class:`tasks.config.Rule` (its
  ``old``, ``new`` and ``options``) and ``package`` the dotted package of the file (to resolve
  relative imports). It runs through a ``MetadataWrapper``, so it may declare
  ``METADATA_DEPENDENCIES`` (``PositionProvider`` and ``QualifiedNameProvider`` are already
  declared). For every site it rewrites it calls ``self.report(node, kind)``; for every site it
  must leave to a person, ``self.report(node, kind, reason)``. It never writes files;
* ``EXAMPLES``: ``{stable id: tasks.rewrite.Example(rule=..., before=..., after=...,
  manual=(reasons...))}``, collected by one parametrized test (tests/codemods/test_examples.py),
  so the codemod is its own spec.

Codemod rules run after the built-in kinds (move, module, call) of the same phase, in the
phase's rule order, on the already rewritten tree of the same single parse.
"""
