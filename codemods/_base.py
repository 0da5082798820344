"""The base class every custom codemod derives from (see ``codemods/__init__.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import libcst as cst
from libcst.metadata import PositionProvider, ProviderT, QualifiedNameProvider

from ..config import Rule
from ..semantics.scopes import resolve_relative


class RuleCodemod(cst.CSTTransformer):
    """A transformer bound to one rule; collects the sites it rewrote or left to a person."""

    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = (
        PositionProvider, QualifiedNameProvider)

    def __init__(self, rule: Rule, package: str = "") -> None:
        super().__init__()
        self.rule = rule
        self.package = package
        self.options: Mapping[str, Any] = dict(rule.options)
        self.sites: list[tuple[int, int, str, str]] = []  # (line, col 1-based, kind, reason)

    def report(self, node: cst.CSTNode, kind: str, reason: str = "") -> None:
        start = self.get_metadata(PositionProvider, node).start
        self.sites.append((start.line, start.column + 1, kind, reason))

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """Absolute qualified names ``node`` may refer to (relative imports resolved)."""
        out: set[str] = set()
        for qn in self.get_metadata(QualifiedNameProvider, node, set()):
            name = qn.name
            if name.startswith("."):
                level = len(name) - len(name.lstrip("."))
                resolved = resolve_relative(name[level:], level, self.package)
                if resolved is None:
                    continue
                name = resolved
            out.add(name)
        return out
