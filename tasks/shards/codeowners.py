"""CODEOWNERS: find the file like GitHub does, parse it, and say who owns a path.

Syntax (GitHub, plus GitLab's sections):

- ``pattern owner...``: owners are ``@user``, ``@org/team`` or an e-mail address; a pattern with
  no owner means "nobody" (it still wins over earlier lines). ``#`` starts a comment line, and a
  word starting with ``#`` after the pattern starts a trailing comment.
- Patterns are gitignore globs relative to the repository root, minus what GitHub leaves out:
  no ``!`` negation and no ``[...]`` ranges (such lines are reported and skipped, as GitHub
  skips them). ``*`` matches within one path component, ``**`` across components; a pattern
  without a ``/`` (other than a trailing one) matches at any depth; a trailing ``/`` matches
  everything below a directory; a pattern ending in ``/*`` matches only the files directly in
  that directory (GitHub: ``docs/*`` owns ``docs/a.md`` but not ``docs/x/b.md``); any other
  pattern also owns everything below a directory it names.
- **The last matching line wins.** With GitLab sections (``[Name]``, ``^[Name][2] @default``),
  each section is read on its own (last match wins inside it), a line with no owner in a
  section takes the section's default owners, and a path's owners are those of every section.
- Looked up in ``.github/``, the root, ``docs/`` (GitHub's order), then ``.gitlab/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SEARCH = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
_SECTION = re.compile(r"^\^?\[([^\]]+)\](?:\[\d+\])?((?:\s+\S+)*)\s*$")
_OWNER = re.compile(r"^@[\w.-]+(?:/[\w.-]+)?$|^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Entry:
    """One pattern line: where it is, its compiled pattern and its owners."""

    line: int
    pattern: str
    regex: re.Pattern[str]
    owners: tuple[str, ...]


@dataclass
class Section:
    name: str  # '' for the lines before any section header
    default_owners: tuple[str, ...] = ()
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Codeowners:
    path: str  # the file, as shown in messages
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # lines skipped, owners not understood

    def owners(self, rel: str) -> tuple[str, ...]:
        """The owners of ``rel`` (posix, relative to the root), sorted; () when unowned."""
        found: set[str] = set()
        for section in self.sections:
            last = None
            for entry in section.entries:
                if entry.regex.fullmatch(rel):
                    last = entry
            if last is not None:
                found.update(last.owners or (section.default_owners if section.name else ()))
        return tuple(sorted(found, key=str.lower))

    def rule_for(self, rel: str) -> Entry | None:
        """The line that decides ``rel`` in the first section that has one (for messages)."""
        for section in self.sections:
            hits = [e for e in section.entries if e.regex.fullmatch(rel)]
            if hits:
                return hits[-1]
        return None


def parse(text: str, name: str = "CODEOWNERS") -> Codeowners:
    """Parse a CODEOWNERS text; problems are collected in ``warnings``, never raised."""
    result = Codeowners(name, [Section("")])
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _SECTION.match(line)
        if header:
            defaults = _owners(header.group(2).split(), result, name, number)
            result.sections.append(Section(header.group(1).strip(), defaults))
            continue
        pattern, words = _split(line)
        why = _unsupported(pattern)
        if why:
            result.warnings.append(f"{name}:{number}: {why}; line skipped (GitHub skips it too)")
            continue
        owners = _owners(words, result, name, number)
        result.sections[-1].entries.append(Entry(number, pattern, compile_pattern(pattern),
                                                 owners))
    return result


def _split(line: str) -> tuple[str, list[str]]:
    """The pattern (``\\ `` escapes a space, ``\\#`` a leading hash) and the words after it."""
    match = re.match(r"((?:\\.|\S)+)(.*)$", line)
    assert match is not None  # the line is stripped and not empty
    words: list[str] = []
    for word in match.group(2).split():
        if word.startswith("#"):
            break  # a trailing comment
        words.append(word)
    return match.group(1), words


def _unsupported(pattern: str) -> str:
    if pattern.startswith("!"):
        return f"'{pattern}': '!' negation is not supported in CODEOWNERS"
    if re.search(r"(?<!\\)\[", pattern):
        return f"'{pattern}': '[...]' character ranges are not supported in CODEOWNERS"
    return ""


def _owners(words: list[str], result: Codeowners, name: str, number: int) -> tuple[str, ...]:
    good = []
    for word in words:
        if _OWNER.match(word):
            good.append(word)
        else:
            result.warnings.append(f"{name}:{number}: '{word}' is not an owner (@user, "
                                   "@org/team or an e-mail address); ignored")
    return tuple(good)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regex a path relative to the root must fully match (see the module doc)."""
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    directory = pattern.endswith("/")
    segments = [s for s in pattern.strip("/").split("/") if s]
    if not segments:  # "/" alone: the whole repository
        return re.compile(r".*")
    body = _segments(segments)
    if directory:
        tail = "/.*"
    elif segments[-1] == "*" and len(segments) > 1 or segments[-1] == "**":
        tail = ""  # docs/* : only direct children; a/** already reaches everything below
    else:
        tail = "(?:/.*)?"  # a file, or a directory of that name and everything below it
    head = "" if anchored else "(?:.*/)?"
    return re.compile(head + body + tail)


def _segments(segments: list[str]) -> str:
    out = ""
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg == "**":
            if i == last:
                out += ".*" if i == 0 else "/.*"
            else:
                out += "(?:[^/]+/)*" if i == 0 else "/(?:[^/]+/)*"
            continue
        sep = "" if i == 0 or segments[i - 1] == "**" else "/"
        out += sep + _glob(seg)
    return out


def _glob(segment: str) -> str:
    out, i = "", 0
    while i < len(segment):
        ch = segment[i]
        if ch == "\\" and i + 1 < len(segment):
            out += re.escape(segment[i + 1])
            i += 2
            continue
        out += "[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch)
        i += 1
    return out


def find(bases: list[Path]) -> tuple[Path, Path] | None:
    """The first CODEOWNERS in GitHub's order under each base in turn: (file, its base)."""
    for base in bases:
        for rel in SEARCH:
            candidate = base / rel
            if candidate.is_file():
                return candidate, base
    return None


def load(path: Path, shown: str) -> Codeowners:
    """Read and parse ``path`` (UTF-8, a BOM allowed)."""
    from ..errors import EXIT_USAGE, MigrationError

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise MigrationError(f"{shown}: not found", EXIT_USAGE) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MigrationError(f"{shown}: cannot read: {exc}", EXIT_USAGE) from None
    return parse(text, shown)
