"""What git says about the tree, for :mod:`.replay`: the repository of a path, the settings under
which git's stat check is not to be trusted, the modified and untracked files (two git
processes started side by side), the index, HEAD and journal state. Like ``replay`` itself, it
imports only what a replay needs.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: nothing heavier than os is imported on this path
if TYPE_CHECKING:
    from typing import Any

Stat = tuple[int, int, int, int]
Spawned = list[tuple[int, int]]  # (pid, read end of its stdout pipe)


# git settings under which "not listed by diff-files" no longer means "content unchanged" for a
# same-size edit with its mtime put back (git then compares less than the full stat)
RELAXED_STAT = (b"checkstat", b"trustctime", b"ignorestat")


def relaxed_stat_config(git_dir: str) -> str:
    """The first of :data:`RELAXED_STAT` any git config file mentions, or ''."""
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    for path in (os.path.join(git_dir, "config"), os.path.join(home, ".gitconfig"),
                 os.path.join(xdg, "git", "config"), "/etc/gitconfig"):
        text = read_bytes(path).lower()
        for name in RELAXED_STAT:
            if name in text:
                return f"core.{name.decode()}"
    return ""


def ignore_sources(git_dir: str) -> tuple[Any, ...] | None:
    """The lstat of everything besides the tree's own files that decides which untracked files
    git lists (``info/exclude``, the default global ignore file, every git config file), for a
    check that does not run git; None when a config names an excludes file elsewhere."""
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    configs = (os.path.join(git_dir, "config"), os.path.join(home, ".gitconfig"),
               os.path.join(xdg, "git", "config"), "/etc/gitconfig")
    if any(b"excludesfile" in read_bytes(path).lower() for path in configs):
        return None
    paths = (*configs, os.path.join(git_dir, "info", "exclude"),
             os.path.join(xdg, "git", "ignore"))
    return tuple(lstat_key(path) for path in paths)


def git_dir_of(start: str) -> str | None:
    """The ``.git`` directory of the work tree holding ``start`` (None for a ``.git`` file,
    which a linked worktree or submodule has: those are left to the normal path)."""
    here = start
    while True:
        candidate = os.path.join(here, ".git")
        if os.path.isdir(candidate) and not os.path.islink(candidate):
            return candidate
        if os.path.lexists(candidate):
            return None
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


# Two git processes run side by side (each alone is most of the check's time): the tracked
# files whose stat or content differ from the index, and the untracked files git does not ignore.
_LISTINGS = (("diff-files", "--name-only", "--relative", "-z", "--", "."),
             ("ls-files", "-z", "-o", "--exclude-standard", "--", "."))


def start_listing(root: str) -> Spawned:
    """Start both git listings (posix_spawn: the subprocess module costs more to import than
    this whole check may take)."""
    started: Spawned = []
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for args in _LISTINGS:
            read, write = os.pipe()
            try:
                pid = os.posix_spawnp("git", ["git", "-C", root, *args], os.environ,
                                      file_actions=[(os.POSIX_SPAWN_DUP2, null, 0),
                                                    (os.POSIX_SPAWN_DUP2, write, 1),
                                                    (os.POSIX_SPAWN_DUP2, null, 2)])
            except OSError:
                os.close(read)
                raise
            finally:
                os.close(write)
            started.append((pid, read))
    except OSError:
        finish_listing(started)
        raise
    finally:
        os.close(null)
    return started


def finish_listing(started: Spawned) -> bytes | None:
    """Both listings joined (NUL-separated), or None when either git failed. Reaps each git
    once: ``started`` is emptied, so a second call is a no-op."""
    out: list[bytes] = []
    ok = True
    while started:
        pid, read = started.pop(0)
        with os.fdopen(read, "rb") as fh:
            out.append(fh.read())
        _, status = os.waitpid(pid, 0)
        ok = ok and os.waitstatus_to_exitcode(status) == 0
    return b"\0".join(out) if ok else None


def git_listing(root: str) -> bytes | None:
    """The modified, deleted and untracked-not-ignored files under ``root`` (NUL-separated)."""
    try:
        return finish_listing(start_listing(root))
    except OSError:
        return None


def listed(root: str, listing: bytes, ignored: tuple[str, ...]) -> tuple[Any, ...]:
    """Each listed path (minus ``ignored``) with its lstat, or None when it is gone."""
    out: list[tuple[bytes, Stat | None]] = []
    for name in sorted(set(listing.split(b"\0"))):
        if not name or os.fsdecode(name) in ignored:
            continue
        out.append((name, lstat_key(os.path.join(os.fsencode(root), name))))
    return tuple(out)


def lstat_key(path: str | bytes) -> Stat | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def repo_state(git_dir: str) -> tuple[Any, ...]:
    """The git index's lstat, HEAD and its ref, and the phasegate journal's entries."""
    head = read_bytes(os.path.join(git_dir, "HEAD"))
    ref: Any = None
    if head.startswith(b"ref: "):
        name = os.fsdecode(head[5:].strip())
        ref = (read_bytes(os.path.join(git_dir, name)),
               lstat_key(os.path.join(git_dir, "packed-refs")))
    return (lstat_key(os.path.join(git_dir, "index")), head, ref,
            journal_state(os.path.join(git_dir, "phasegate", "journal")))


def journal_state(journal: str) -> tuple[Any, ...]:
    """Every transaction directory and its log's lstat: any new step changes one of them."""
    try:
        names = sorted(os.listdir(journal))
    except FileNotFoundError:
        return ()
    out = []
    for name in names:
        path = os.path.join(journal, name)
        out.append((name, lstat_key(path), lstat_key(os.path.join(path, "log.jsonl"))))
    return tuple(out)


def read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return b""
