"""The validated configuration: plain frozen dataclasses, and the names and keys phases.toml
knows (what :mod:`.load` checks a document against)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EXIT_USAGE, MigrationError
from .problems import suggest

TOP_KEYS = ("project", "rules", "phases", "gates", "baseline", "status")
PROJECT_KEYS = ("root", "exclude", "src", "python", "state_dir", "format", "codemods")
CONTEXT_KEYS = ("names", "attributes", "annotations")
PHASE_KEYS = ("title", "files", "rules", "gates", "allow_manual", "format")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class ContextSource:
    """Where a required call argument may be found in scope when the call site lacks it."""

    names: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    annotations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    old: str
    new: str = ""
    message: str = ""
    aliases: tuple[str, ...] = ()
    # kind = "call"
    params: tuple[str, ...] = ()
    arguments: tuple[tuple[str, str], ...] = ()
    context: tuple[tuple[str, ContextSource], ...] = ()
    imports: tuple[str, ...] = ()
    awaitable: bool = False
    # kind = "codemod"
    codemod: str = ""
    codemod_path: str = ""  # a project codemod's file ('' for a bundled one)
    options: tuple[tuple[str, Any], ...] = ()
    needles: tuple[str, ...] = ()

    @property
    def olds(self) -> tuple[str, ...]:
        """Every qualified name this rule bans: ``old`` and its aliases (re-exports)."""
        return ((self.old,) if self.old else ()) + self.aliases

    @property
    def required(self) -> tuple[str, ...]:
        """Placeholders the call template needs, in order of first use."""
        seen: list[str] = []
        for _, template in self.arguments:
            for name in _PLACEHOLDER.findall(template):
                if name not in seen:
                    seen.append(name)
        return tuple(seen)


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    files: tuple[str, ...]
    rules: tuple[str, ...]
    gates: tuple[str, ...]
    allow_manual: bool = False
    format: str = ""


@dataclass(frozen=True)
class GateSettings:
    """What every gate's settings carry. Each gate's spec (phasegate.gates.spec, one module per
    gate) reads its own ``[gates.<name>]`` keys into a subclass of this."""

    name: str
    timeout: float = 600.0
    configured: bool = False  # a [gates.<name>] table exists

    @property
    def command_gate(self) -> bool:
        """A gate declared by ``command = [...]`` rather than registered by a module."""
        return False


@dataclass(frozen=True)
class Config:
    path: Path
    root: Path
    exclude: tuple[str, ...]
    src: tuple[str, ...]
    python: str
    state_dir: Path | None
    format: str
    rules: dict[str, Rule] = field(hash=False)
    phases: tuple[Phase, ...]
    gates: dict[str, GateSettings] = field(hash=False)  # every known gate, defaults included
    baseline: dict[str, int] = field(hash=False)
    codemods: Path | None = None  # the project's own codemods folder (``project.codemods``)

    def phase(self, phase_id: str) -> Phase:
        for phase in self.phases:
            if phase.id == phase_id.lower():
                return phase
        known = [p.id for p in self.phases]
        raise MigrationError(
            f"{self.path.name}: unknown phase '{phase_id}'{suggest(phase_id, known)}"
            f" (phases: {', '.join(known) or 'none'})"
        )

    def gate(self, name: str) -> GateSettings:
        """The settings of a gate (its defaults when phases.toml has no table for it)."""
        try:
            return self.gates[name]
        except KeyError:
            raise MigrationError(f"{self.path.name}: unknown gate '{name}'"
                                 f"{suggest(name, list(self.gates))}", EXIT_USAGE) from None
