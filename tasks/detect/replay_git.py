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


Configs = list[tuple[str, bytes]]


def relaxed_stat_config(git_dir: str, texts: Configs | None = None) -> str:
    """The first of :data:`RELAXED_STAT` any git config file mentions, or ''. ``texts``: what
    :func:`config_texts` gave, when the caller read them already."""
    for _path, text in texts if texts is not None else config_texts(git_dir):
        for name in RELAXED_STAT:
            if name in text:
                return f"core.{name.decode()}"
    return ""


def config_texts(git_dir: str) -> Configs:
    """Every git config file that applies (the repository's, the user's, the system's) and
    every file they include (``[include]``/``[includeIf]``, whatever the condition), each
    lower-cased. An unreadable file is empty."""
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    todo = [os.path.join(git_dir, "config"), os.path.join(home, ".gitconfig"),
            os.path.join(xdg, "git", "config"), "/etc/gitconfig"]
    out: list[tuple[str, bytes]] = []
    while todo and len(out) < 32:
        path = todo.pop(0)
        raw = read_bytes(path)
        text = raw.lower()
        out.append((path, text))
        if b"include" not in text:
            continue
        for line in raw.splitlines():
            key, eq, value = line.strip().partition(b"=")
            if eq and key.strip().lower() == b"path":
                named = os.path.expanduser(os.fsdecode(value.strip().strip(b'"')))
                todo.append(os.path.join(os.path.dirname(path), named))
    return out


def ignore_sources(git_dir: str, root: str,
                   texts: Configs | None = None) -> tuple[Any, ...] | None:
    """The lstat of everything besides the files under ``root`` that decides which untracked
    files git lists there: ``info/exclude``, the default global ignore file, every git config
    file (and those it includes), and each ``.gitignore`` between the work tree's top and
    ``root``; for a check that does not run git. None when a config names an excludes file
    (it could be anywhere). ``texts`` as for :func:`relaxed_stat_config`."""
    texts = texts if texts is not None else config_texts(git_dir)
    if any(b"excludesfile" in text for _path, text in texts):
        return None
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    paths = [path for path, _text in texts]
    paths += [os.path.join(git_dir, "info", "exclude"), os.path.join(xdg, "git", "ignore")]
    top = os.path.dirname(os.path.realpath(git_dir))
    here = os.path.realpath(root)
    while here != top and here.startswith(top + os.sep):
        here = os.path.dirname(here)
        paths.append(os.path.join(here, ".gitignore"))
    return tuple((path, lstat_key(path)) for path in paths)


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


def folder_stats(root: str, folders: bytes) -> tuple[Stat | None, ...]:
    """The lstat of each folder (NUL-separated, relative to ``root``): a file git never lists
    (a FIFO or socket named ``*.py``, which detect reports) still changes its folder's."""
    base = os.path.join(os.fsencode(root), b"")
    return tuple(lstat_key(base + folder) for folder in folders.split(b"\0"))


def digest(stats: tuple[Any, ...]) -> str:
    """A digest of many stats, so a record holds a few bytes instead of thousands of tuples
    (loaded on every replay, where only the git check reads them)."""
    import hashlib

    return hashlib.sha256(repr(stats).encode()).hexdigest()


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
