"""The validated configuration: plain frozen dataclasses, and the names and keys phases.toml
knows (what :mod:`.load` checks a document against)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MigrationError
from .problems import suggest

GATE_NAMES = ("syntax", "lint", "imports", "unit", "integration", "mission-critical")
TEST_GATES = ("unit", "integration", "mission-critical")
POLICIES = ("all-pass", "no-new-failures")
DEFAULT_LINT_SELECT = ("F401", "F811", "F821", "F822", "F823")

TOP_KEYS = ("project", "rules", "phases", "gates", "baseline", "status")
PROJECT_KEYS = ("root", "exclude", "src", "python", "state_dir", "format", "codemods")
CONTEXT_KEYS = ("names", "attributes", "annotations")
PHASE_KEYS = ("title", "files", "rules", "gates", "allow_manual", "format")
GATE_KEYS = {
    "syntax": ("timeout", "python"),
    "lint": ("select", "timeout", "command"),
    "imports": ("timeout",),
    "unit": ("paths", "markers", "policy", "timeout", "workers", "args", "affected"),
    "integration": ("paths", "markers", "policy", "timeout", "workers", "args"),
    "mission-critical": ("paths", "markers", "policy", "timeout", "workers", "args"),
}
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
class GateConfig:
    name: str
    paths: tuple[str, ...] = ()
    markers: str = ""
    policy: str = "no-new-failures"
    timeout: float = 600.0
    workers: str = "auto"
    args: tuple[str, ...] = ()
    affected: bool = True
    select: tuple[str, ...] = DEFAULT_LINT_SELECT
    command: tuple[str, ...] = ()
    python: str = ""  # syntax: the interpreter whose compile checks the files


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
    gates: dict[str, GateConfig] = field(hash=False)
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

    def gate(self, name: str) -> GateConfig:
        return self.gates.get(name) or default_gate(name)


def default_gate(name: str) -> GateConfig:
    policy = "all-pass" if name == "mission-critical" else "no-new-failures"
    return GateConfig(name=name, policy=policy)
