"""Rule kinds: what a ``kind = "..."`` in phases.toml means, registered by the kind's own module.

Each built-in kind is a module of ``phasegate.rewrite.kinds`` (``move``, ``module``, ``call``,
``codemod``) that calls ``KINDS.register(RuleKind(...))`` with its phases.toml keys, the function
that validates a rule's table into a :class:`~.model.Rule`, and its embedded examples. Code
outside phasegate registers its own kind the same way (``KINDS.register``), before the config
is loaded.

``move``, ``module`` and ``call`` are decided by the shared semantic model
(``phasegate.semantics``); every other kind carries ``run``, a libcst hook shaped like the
codemod runner: ``run(tree, rule, path, package) -> (new tree, sites, changed)``, where a site
is a ``phasegate.rewrite.model.Site`` (rewritten when its reason is ''). detect keeps the sites
and drops the tree; plan keeps both, so the two agree by construction.

This module sits in ``config`` (below ``rewrite``) and names the kinds' package only as a
string: the registry imports the kind modules by name, so no import cycle arises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..registry import Registry
from .model import Rule
from .problems import Problems, as_bool, as_str, as_strlist, as_table, dotted

# (tree, rule, path, package) -> (new tree, sites, changed); libcst types are not imported here
Hook = Callable[[Any, Rule, str, str], tuple[Any, list[Any], bool]]


@dataclass(frozen=True)
class RuleInput:
    """One ``[rules.<id>]`` table being validated, with typed readers that report problems
    under the full key path (``rules.<id>.<key>``)."""

    p: Problems
    rule_id: str
    body: Mapping[str, Any]
    key: str  # "rules.<id>"
    codemods_dir: Path | None = None  # the project's own codemods (``project.codemods``)

    def path(self, name: str) -> str:
        return f"{self.key}.{name}"

    def string(self, name: str, *, required: bool = False) -> str:
        return as_str(self.p, self.body.get(name), self.path(name), required=required)

    def name(self, name: str, *, required: bool = False) -> str:
        """A dotted Python name (``a.b.c``)."""
        value = self.string(name, required=required)
        dotted(self.p, value, self.path(name))
        return value

    def strings(self, name: str) -> tuple[str, ...]:
        return as_strlist(self.p, self.body.get(name), self.path(name))

    def names(self, name: str) -> tuple[str, ...]:
        values = self.strings(name)
        for idx, value in enumerate(values):
            dotted(self.p, value, f"{self.path(name)}[{idx}]")
        return values

    def table(self, name: str) -> dict[str, Any]:
        return as_table(self.p, self.body.get(name), self.path(name))

    def flag(self, name: str, default: bool = False) -> bool:
        return as_bool(self.p, self.body.get(name), self.path(name), default)

    def problem(self, name: str, message: str) -> None:
        self.p.add(self.path(name) if name else self.key, message)


@dataclass(frozen=True)
class RuleKind:
    """A rule kind: its phases.toml keys (besides ``kind``), how a table becomes a Rule, its
    embedded examples, and -- for kinds outside the shared semantic model -- its hooks."""

    name: str
    keys: tuple[str, ...]
    build: Callable[[RuleInput], Rule | None]
    examples: Mapping[str, Any] = field(default_factory=dict)
    run: Hook | None = None
    # words a file must contain for ``run`` to matter (the byte prefilter); () = every file
    needles: Callable[[Rule], tuple[str, ...]] = lambda rule: ()

    @property
    def semantic(self) -> bool:
        """Decided by the shared ast model (move, module, call), not by a hook."""
        return self.run is None


KINDS: Registry[RuleKind] = Registry("rule kind", "phasegate.rewrite.kinds")


def kind_of(rule: Rule) -> RuleKind:
    spec = KINDS.get(rule.kind)
    if spec is None:  # a kind unregistered after its rules were loaded
        raise LookupError(f"rule '{rule.id}': kind '{rule.kind}' is not registered")
    return spec


def is_semantic(rule: Rule) -> bool:
    return kind_of(rule).semantic
