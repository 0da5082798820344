"""Plain values of ``phasegate suggest``: what a file says is deprecated, and the proposed rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The marker kinds, strongest first; a rule's confidence comes from its strongest marker.
MARKERS = ("decorator", "wrapper", "getattr", "alias", "warning", "module-warning", "docstring")
CONFIDENCE = {"decorator": "high", "wrapper": "high", "getattr": "high", "alias": "high",
              "warning": "medium", "module-warning": "medium", "docstring": "low"}
# What a marker can mark; "method" is never turned into a rule (a call through an instance needs
# type information).
TARGETS = ("function", "class", "alias", "attribute", "module", "method")


@dataclass(frozen=True)
class Forward:
    """The call a wrapper returns, as the wrapper's own code gives it."""

    callee: str  # the callee as written (dotted), resolved later through the file's imports
    args: tuple[str, ...]  # positional argument sources (ast.unparse)
    keywords: tuple[tuple[str, str], ...]  # (name, value source); name "**" for **kwargs
    # why the mapping from the old parameters to these arguments is not clear ("" when it is)
    unclear: str = ""


@dataclass(frozen=True)
class Marker:
    """One deprecation marker found in a file."""

    path: str  # posix, relative to the project root
    line: int
    marker: str  # one of MARKERS
    target: str  # one of TARGETS
    old: str  # qualified name of the deprecated object
    message: str = ""
    params: tuple[str, ...] = ()  # the old callable's parameters, in order (no self/cls)
    new_code: str = ""  # what the code itself says replaces it (alias RHS, getattr return, ...)
    forward: Forward | None = None  # wrapper: the call it returns
    reason: str = ""  # why the code gives no replacement although it is a wrapper, ...


@dataclass(frozen=True)
class FileFacts:
    """What pass 1 learns from one file: its markers and how its names resolve."""

    path: str
    module: str
    package: str
    markers: tuple[Marker, ...] = ()
    # module-level names: local name -> qualified name (imports), or "<module>.<name>" (defs)
    bindings: tuple[tuple[str, str], ...] = ()
    # module-level names this module re-exports from elsewhere (__init__ or __all__):
    # local name -> the qualified name imported
    reexports: tuple[tuple[str, str], ...] = ()
    # module-level definitions: name -> "class" | "function" | "value" | "import"
    defs: tuple[tuple[str, str], ...] = ()
    problem: str = ""  # why the file could not be read or parsed


@dataclass
class Suggestion:
    """One proposed rule, with where it came from and what detect finds for it now."""

    id: str
    kind: str  # move | module | call, or "" when not supported
    old: str
    target: str
    new: str = ""
    aliases: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    arguments: list[tuple[str, str]] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    message: str = ""
    reason: str = ""  # why `new` is empty, or why the object is not supported
    evidence: list[Marker] = field(default_factory=list)
    uses: dict[str, int] = field(default_factory=dict)  # per existing phase
    existing: str = ""  # id of a rule in phases.toml that already covers it

    @property
    def supported(self) -> bool:
        return bool(self.kind)

    @property
    def ready(self) -> bool:
        """A rule phases.toml accepts: supported, with a replacement."""
        return self.supported and bool(self.new)

    @property
    def confidence(self) -> str:
        best = min((MARKERS.index(m.marker) for m in self.evidence), default=len(MARKERS) - 1)
        return CONFIDENCE[MARKERS[best]]

    def rule_table(self) -> dict[str, Any]:
        """The ``[rules.<id>]`` body, keys in the order phases.toml documents them."""
        body: dict[str, Any] = {"kind": self.kind, "old": self.old}
        if self.aliases:
            body["aliases"] = list(self.aliases)
        body["new"] = self.new
        body["message"] = self.message
        if self.kind == "call":
            body["params"] = list(self.params)
            if self.imports:
                body["imports"] = list(self.imports)
            body["arguments"] = dict(self.arguments)
        return body
