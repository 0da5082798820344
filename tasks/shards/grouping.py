"""Cut a phase's files into shards: by code owner or by directory, each at most N files.

Only files with a violation are sharded (the caller decides what happens to the rest). Every
such file lands in exactly one shard. Shard ids are ``<phase>-<slug>``: the owners' team names
(``@acme/payments`` -> ``payments``), ``unowned`` for files nobody owns, or the last component
of the shard's directory; a second shard with the same slug gets ``-2``, then ``-3``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

BY = ("codeowners", "directory")


@dataclass(frozen=True)
class FileSites:
    """One file of the phase and how many of its violations are fixable or left to a person."""

    path: str  # posix, relative to the project root
    fixable: int
    manual: int


@dataclass(frozen=True)
class Shard:
    id: str
    title: str
    owners: tuple[str, ...]  # by codeowners; () for unowned (and always () by directory)
    directory: str  # the deepest directory holding all its files ('' = the root)
    files: tuple[FileSites, ...]

    @property
    def fixable(self) -> int:
        return sum(f.fixable for f in self.files)

    @property
    def manual(self) -> int:
        return sum(f.manual for f in self.files)


@dataclass
class _Node:
    files: list[FileSites] = field(default_factory=list)
    dirs: dict[str, _Node] = field(default_factory=dict)


def by_owner(files: Sequence[FileSites], owners_of: Callable[[str], tuple[str, ...]]
             ) -> list[tuple[tuple[str, ...], list[FileSites]]]:
    """Files grouped by their owner set, owners sorted by name, the unowned last."""
    groups: dict[tuple[str, ...], list[FileSites]] = {}
    for item in sorted(files, key=lambda f: f.path):
        groups.setdefault(owners_of(item.path), []).append(item)
    return sorted(groups.items(), key=lambda kv: (not kv[0], [o.lower() for o in kv[0]]))


def pack(files: Sequence[FileSites], limit: int | None) -> list[list[FileSites]]:
    """Directory groups: with no limit, one per directory (its own files); with a limit, the
    deepest directories whose files fit, siblings merged while they still fit, and a directory
    with more files of its own than the limit cut into runs of ``limit``."""
    root = _Node()
    for item in sorted(files, key=lambda f: f.path):
        node = root
        for part in item.path.split("/")[:-1]:
            node = node.dirs.setdefault(part, _Node())
        node.files.append(item)
    return _pack(root, limit)


def _pack(node: _Node, limit: int | None) -> list[list[FileSites]]:
    below = [g for name in sorted(node.dirs) for g in _pack(node.dirs[name], limit)]
    if limit is None:
        return ([list(node.files)] if node.files else []) + below
    groups = [node.files[i:i + limit] for i in range(0, len(node.files), limit)] + below
    if sum(len(g) for g in groups) <= limit:
        return [[f for g in groups for f in g]] if groups else []
    merged: list[list[FileSites]] = []
    for group in groups:  # neighbours in path order, merged while they fit
        if merged and len(merged[-1]) + len(group) <= limit:
            merged[-1] = merged[-1] + group
        else:
            merged.append(list(group))
    return merged


def shard(phase_id: str, title: str, files: Sequence[FileSites], *, by: str,
          owners_of: Callable[[str], tuple[str, ...]] | None = None,
          limit: int | None = None, taken: Iterable[str] = ()) -> list[Shard]:
    """The shards of one phase, in the order they are listed and written."""
    if by == "codeowners":
        assert owners_of is not None
        cut = [(owners, group) for owners, pieces in by_owner(files, owners_of)
               for group in (pack(pieces, limit) if limit and len(pieces) > limit else [pieces])]
    else:
        cut = [((), group) for group in pack(files, limit)]
    used = set(taken)
    out = []
    for owners, group in cut:
        directory = common_dir([f.path for f in group])
        slug = owner_slug(owners) if by == "codeowners" else dir_slug(directory)
        shard_id = unique(f"{phase_id}-{slug}", used)
        used.add(shard_id)
        what = (", ".join(owners) or "unowned") if by == "codeowners" else f"{directory or '.'}/"
        out.append(Shard(shard_id, f"{title or phase_id}: {what}", owners, directory,
                         tuple(group)))
    return out


def common_dir(paths: Sequence[str]) -> str:
    """The deepest directory that holds every path ('' when that is the root)."""
    parts = [p.split("/")[:-1] for p in paths]
    if not parts:
        return ""
    common = parts[0]
    for other in parts[1:]:
        n = 0
        while n < min(len(common), len(other)) and common[n] == other[n]:
            n += 1
        common = common[:n]
    return "/".join(common)


def owner_slug(owners: Sequence[str]) -> str:
    """``@acme/payments`` -> ``payments``; ``@ann`` -> ``ann``; ``bo@x.io`` -> ``bo``;
    several owners are joined (two at most, then ``and-N-more``); none -> ``unowned``."""
    if not owners:
        return "unowned"
    names = [_slug(o.lstrip("@").rsplit("/", 1)[-1].split("@", 1)[0]) for o in owners]
    names = [n for n in names if n] or ["owners"]
    if len(names) > 2:
        names = [*names[:2], f"and-{len(names) - 2}-more"]
    return "-".join(names)


def dir_slug(directory: str) -> str:
    return _slug(directory.rsplit("/", 1)[-1]) or "root"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def unique(base: str, used: set[str]) -> str:
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"
