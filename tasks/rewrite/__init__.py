"""The rewrite engine: one module per built-in rule kind in ``kinds/`` (move, module, call), each
carrying its embedded examples, plus the shared machinery (scan, uses, context, imports, planner)
and the custom codemods' runner (``codemods.py``).

The entry point is :func:`.engine.rewrite_source` (``data, path, module, is_package, rules ->
FileOutcome``). This ``__init__`` imports nothing, so a module of the package can be imported
without pulling in the whole engine.
"""
