"""Find the project's Python files: .gitignore-aware, excludes applied, links never followed."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from . import early_git
from .model import FileProblem

_ALWAYS_SKIP = {".git", ".hg", ".svn", ".nox", ".tox", ".venv", "venv", "__pycache__",
                ".mypy_cache", ".ruff_cache", ".pytest_cache", "node_modules"}


@dataclass
class Discovered:
    files: list[str] = field(default_factory=list)  # posix paths relative to the root, sorted
    skipped: list[FileProblem] = field(default_factory=list)  # links, non-regular, unreadable
    stats: dict[str, os.stat_result] = field(default_factory=dict)  # lstat of each file
    # the folders searched for special files git never lists (a replay compares their lstat)
    searched: list[str] = field(default_factory=list)


def spec(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """A gitignore-style matcher for phase files and excludes."""
    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


def discover(root: Path, exclude: Iterable[str] = (), *, suffix: str = ".py",
             listed_hook: Callable[[int], object] | None = None) -> Discovered:
    """Every ``*.py`` file under ``root`` not ignored by git and not matched by ``exclude``.

    ``listed_hook`` is told how many paths were listed, before each is stat-ed."""
    names, special = listing(root, exclude, suffix=suffix)
    candidates = names + special()
    if listed_hook is not None:
        listed_hook(len(candidates))
    found = stat_listed(root, candidates)
    found.searched = special.searched
    return found


class Special:
    """The special files (FIFOs, sockets, devices) git never lists, found when called, and the
    folders that were searched for them (``searched``, once called)."""

    def __init__(self, root: Path, listed: list[str] | None, suffix: str,
                 excluded: pathspec.GitIgnoreSpec | None) -> None:
        self.root, self.listed, self.suffix, self.excluded = root, listed, suffix, excluded
        self.searched: list[str] = []

    def __call__(self) -> list[str]:
        if self.listed is None:
            return []  # a walk lists every entry, special ones included
        self.searched = sorted({rel.rpartition("/")[0] for rel in self.listed
                                if rel.endswith(self.suffix)})
        found = _unlisted_special(self.root, self.listed, self.searched, self.suffix)
        return _kept(found, self.excluded, self.suffix)


def listing(root: Path, exclude: Iterable[str] = (), *, suffix: str = ".py"
            ) -> tuple[list[str], Special]:
    """The paths ``discover`` would stat, in listing order, by their names alone (nothing is
    stat-ed), and a callable giving the special files (FIFOs, sockets, devices) git never
    lists. A caller may stat and read the names elsewhere (detect's workers) while the
    callable runs."""
    patterns = list(exclude)
    excluded = spec(patterns) if patterns else None
    listed = _git_files(root)
    names = _kept(listed if listed is not None else _walk(root), excluded, suffix)
    return names, Special(root, listed, suffix, excluded)


def _kept(rels: list[str], excluded: pathspec.GitIgnoreSpec | None, suffix: str) -> list[str]:
    out: list[str] = []
    skip_dir: dict[str, bool] = {}  # per directory: is it under one that is always skipped?
    for rel in rels:
        if not rel.endswith(suffix) or (excluded is not None and excluded.match_file(rel)):
            continue
        folder = rel.rpartition("/")[0]
        skipped = skip_dir.get(folder)
        if skipped is None:
            skipped = skip_dir[folder] = any(p in _ALWAYS_SKIP for p in folder.split("/"))
        if not skipped:
            out.append(rel)
    return out


def stat_listed(root: Path, names: Iterable[str]) -> Discovered:
    """``Discovered`` for paths a ``listing`` gave: each is lstat-ed, plain files kept."""
    base = str(root) + os.sep
    out = Discovered()
    for rel in names:
        st, reason = fit(base + rel)
        if st is None:
            if reason:
                out.skipped.append(FileProblem(rel, reason))
        else:
            out.files.append(rel)
            out.stats[rel] = st
    out.files.sort()
    return out


def fit(path: str) -> tuple[os.stat_result | None, str]:
    """The lstat of a plain file detect and migrate may read, or why it is not one."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None, ""  # listed by git but deleted in the work tree: nothing to scan
    except OSError as exc:
        return None, f"cannot stat: {exc.strerror}"
    if stat.S_ISLNK(st.st_mode):
        return None, "symlink (not followed)"
    if not stat.S_ISREG(st.st_mode):
        return None, "not a regular file"
    return st, ""


def _git_files(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files, or None when root is not in a git work tree."""
    answer = early_git.ask(str(root), early_git.LS_FILES, timeout=120)  # maybe asked early
    if answer is None or answer[0] != 0:
        return None
    return [n for n in answer[1].decode("utf-8", "surrogateescape").split("\0") if n]


def _unlisted_special(root: Path, listed: list[str], folders: list[str],
                      suffix: str) -> list[str]:
    """FIFOs, sockets and devices named ``*<suffix>`` that git never lists (it only knows
    files and links) in the directories it listed files in, unless git ignores them: they are
    reported as not regular files instead of vanishing. One ``scandir`` per such directory;
    the directory entry's type is enough, nothing is stat-ed."""
    found: list[str] = []
    base = str(root) + os.sep
    for folder in folders:
        try:
            with os.scandir(base + folder if folder else root) as entries:
                for entry in entries:  # most are plain files: their type needs no stat
                    if not entry.name.endswith(suffix) or entry.is_file(follow_symlinks=False) \
                            or entry.is_dir(follow_symlinks=False) or entry.is_symlink():
                        continue
                    found.append(f"{folder}/{entry.name}" if folder else entry.name)
        except OSError:
            continue
    if found:  # a FIFO git lists (it was a file once) is in the listing already
        known = set(listed)
        found = [rel for rel in found if rel not in known]
    return _not_ignored(root, found) if found else []


def _not_ignored(root: Path, paths: list[str]) -> list[str]:
    try:
        proc = subprocess.run(["git", "-C", str(root), "check-ignore", "-z", "--stdin"],
                              input="\0".join(paths).encode("utf-8", "surrogateescape"),
                              capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return paths
    ignored = set(proc.stdout.decode("utf-8", "surrogateescape").split("\0"))
    return [p for p in paths if p not in ignored]


def _walk(root: Path) -> list[str]:
    """A plain walk honouring every .gitignore on the way down; never follows links."""
    found: list[str] = []
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        ignore_file = Path(dirpath) / ".gitignore"
        if ignore_file.is_file() and not ignore_file.is_symlink():
            try:
                lines = ignore_file.read_text("utf-8", "replace").splitlines()
                specs.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
            except OSError:
                pass

        def ignored(rel: str, is_dir: bool) -> bool:
            for base, sp in specs:
                if base and not rel.startswith(base + "/"):
                    continue
                sub = rel[len(base) + 1:] if base else rel
                if sp.match_file(sub + ("/" if is_dir else "")):
                    return True
            return False

        keep = []
        for d in sorted(dirnames):
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if d in _ALWAYS_SKIP or ignored(rel, True):
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in filenames:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not ignored(rel, False):
                found.append(rel)
    return found


def module_name(rel: str, src_roots: Iterable[str] = (".",)) -> tuple[str, bool]:
    """The dotted module of a file relative to the root, and whether it is a package __init__."""
    best = rel
    for src in src_roots:
        src = src.strip("/")
        if src in ("", ".") :
            continue
        if rel.startswith(src + "/") and len(rel) - len(src) - 1 < len(best):
            best = rel[len(src) + 1:]
    parts = best[:-3].split("/") if best.endswith(".py") else best.split("/")
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts = parts[:-1]
    return ".".join(parts), is_pkg
