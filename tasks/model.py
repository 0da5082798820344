"""Plain values passed between the steps of the flow (detect -> plan -> apply -> gates)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# The kinds of violation detect reports; ruff's TID251 covers "import" and "attribute".
VIOLATION_KINDS = ("import", "attribute", "call", "re-export", "string-import", "star-import")
UNASSIGNED = "unassigned"


@dataclass(frozen=True, order=True)
class Violation:
    """One place in the code that still refers to a deprecated name."""

    path: str  # posix, relative to the project root
    line: int  # 1-based
    col: int  # 1-based, like ruff
    rule: str
    kind: str
    name: str  # the deprecated qualified name referred to
    phase: str = UNASSIGNED
    fixable: bool = True
    reason: str = ""  # why a person is needed, when not fixable
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict deep-copies every field, 10x slower on big reports
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class FileProblem:
    """A file that could not be read, parsed or rewritten, with the reason."""

    path: str
    reason: str
    line: int = 0


@dataclass
class DetectResult:
    violations: list[Violation] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    files_scanned: int = 0
    files_parsed: int = 0
    cache_hits: int = 0
    # files with another hard link: an edit made through a name outside the tree is no event
    # for a watcher (tasks/detect/watcher.py), so a run with any is replayed through git only
    linked: int = 0
    # the folders searched for files git never lists (FIFOs named *.py): a replay's to check
    folders: list[str] = field(default_factory=list, repr=False)
