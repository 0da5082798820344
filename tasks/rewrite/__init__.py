"""The rewrite engine: one module per built-in rule kind (move, module, call), each carrying
its embedded examples, plus the shared machinery (scan, uses, context, imports, planner).

``rewrite_source(data, path, module, is_package, rules) -> FileOutcome`` is the entry point.
"""

from __future__ import annotations

from .engine import rewrite_source
from .model import Example, FileOutcome, Site

KIND_MODULES = ("move", "module", "call")

__all__ = ["KIND_MODULES", "Example", "FileOutcome", "Site", "rewrite_source"]
