"""Replay: a ``detect`` whose inputs did not change prints its last answer again, without work.

A warm ``phasegate detect`` spends most of its time before it looks at a file: Python start-up,
importing every command to build the parser, loading phases.toml, listing and stat-ing every
file. When nothing it depends on changed, the answer is the one it gave last time, so the CLI
checks that first (:func:`replay`, called from ``tasks.cli`` before anything else is imported:
this module needs only the standard library's builtins) and, on a hit, writes the recorded
stdout, stderr and ``--output`` file and returns the recorded exit code.
``PHASEGATE_NO_REPLAY=1`` turns this off (the per-file cache still works).

What the answer depends on, and how each is checked (every doubt means: run normally):

- **phasegate itself and how it is asked** (the record's key): ``__version__``, the lstat of
  every ``.py`` file of the installed ``tasks`` and ``codemods`` packages (which covers
  ``ENGINE`` in tasks/detect.py), the interpreter and the mtime of every ``sys.path`` directory
  (an installed or removed dependency), the literal argv after ``detect``, the cwd, the absolute
  config path, stdout's and stderr's encodings (neither may be a terminal: there a normal run
  draws and erases a progress bar, which a replay could not repeat byte for byte), every
  environment variable the output reads (:data:`ENV_KEYS`) and every ``GIT_*`` one; one that
  points git elsewhere (:data:`GIT_LOCATION_ENV`) means no replay at all.
- **phases.toml**: its bytes now must equal the bytes the recorded run read. A run during
  which it changed (detect rewrites its ``[status]`` counts when they change) or that it had
  changed within :data:`RACY_NS` before (it was parsed a moment before the fingerprint) is not
  recorded.
- **the files** (the git fingerprint, taken before the recorded run scanned, so an edit made
  during that scan makes the next run miss): the lstat of the git ``index`` (size, mtime, inode,
  ctime), ``HEAD`` and the ref it names, and two git listings run side by side:
  ``diff-files --name-only`` (tracked files whose stat or content differ from the index, deleted
  ones included) and ``ls-files -o --exclude-standard`` (untracked files git does not ignore),
  with the lstat of each listed path. Why that is enough: a tracked file git does not list has
  the content of its index entry (git compares stat data, and the content when the entry is
  racy), so an unchanged index means unchanged content for every such file; listed files are
  compared by their own lstat; a file that appears, disappears, or becomes visible because a
  .gitignore changed changes the listing. Git lists no FIFO, socket or device, which detect
  reports when one is named ``*.py``: the lstat of every folder holding a scanned file is
  compared too (a new entry changes its folder's). A run is not recorded when a listed file or
  such a folder changed within :data:`RACY_NS` of the fingerprint (a same-size edit inside one
  timestamp tick keeps the lstat), nor when an index entry is assume-unchanged or skip-worktree
  (git does not look at those files). The project's codemods folder (``[project] codemods``,
  which git may ignore) is compared by its files' lstat. No git work tree, a ``.git`` file
  (linked worktree, submodule) instead of a directory, or any git failure: no replay.
- **the files, with a watcher** (``phasegate watch``; :mod:`.watch_client`): its token, taken
  before the scan, is recorded too; git is skipped only when that watcher says nothing but the
  record's ignored paths changed since and nothing outside the tree that decides git's ignores
  did (:func:`.replay_git.ignore_sources`). Else the git check above. No token is recorded for
  a run that saw a file with another hard link, or under a config naming an excludes file.
- **the journal**: a run only records when no transaction is pending or unrecorded (recovery
  would have work), and the journal's entries (each directory and its log's lstat) must be
  unchanged, so a pending transaction is never skipped.

Only runs that took every file from the per-file cache are recorded, so the replayed JSON
summary (``files_parsed: 0``, ``cache_hits``) is what a normal warm run prints. Records live in
``<git-dir>/phasegate/cache/replay-<crc>.marshal`` (beside the detect cache), written atomically;
a project whose ``project.state_dir`` points elsewhere is not replayed. Known limits: a tracked
file edited during the recorded run's scan and restored to exactly its index content before the
next run looks untouched; a tracked file only touched (content unchanged) since the record
replays the recorded ``cache_hits`` where a normal run would count it as re-read once.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

from .replay_git import (
    Spawned,
    config_texts,
    digest,
    finish_listing,
    folder_stats,
    git_dir_of,
    ignore_sources,
    listed,
    relaxed_stat_config,
    repo_state,
    start_listing,
)
from .replay_key import code_stats, config_arg, path_stats, tree_stats
from .watch_client import unchanged_since

PACKAGE = sys.modules[__name__.rsplit(".", 2)[0]]  # phasegate itself (imported before us)
TYPE_CHECKING = False  # not typing's: this module must import only what a replay needs
if TYPE_CHECKING:
    from typing import Any


DISABLE_ENV = "PHASEGATE_NO_REPLAY"
ENV_KEYS = ("CI", "NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM", "COLUMNS", "LINES",
            "PHASEGATE_CONFIG", "GITHUB_ACTIONS", "GITHUB_WORKSPACE", "XDG_CACHE_HOME", "HOME",
            "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES",
            "PYTHONIOENCODING", "PYTHONUTF8", "LANG", "LC_ALL", "LC_CTYPE")
FORMAT = "phasegate-replay-4"
# Variables that point git at another repository, index or configuration: no replay at all.
GIT_LOCATION_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
                    "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_CONFIG",
                    "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM",
                    "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT")
RACY_NS = 2_000_000_000  # coarser than any file system's timestamps, so a racy edit is seen



class Probe:
    """What the CLI learnt while looking for a record; the detect command records with it."""

    def __init__(self, key: tuple[Any, ...], config_path: str, git_dir: str,
                 configs: list[tuple[str, bytes]] | None = None) -> None:
        self.key = key
        self.config_path = config_path
        self.git_dir = git_dir
        self.configs = configs  # git's config files as read for this probe

    @property
    def root_pointer(self) -> str:
        """A small file naming the root the last record for this config listed (and, after a
        NUL, ``watched`` when a watcher ran then): read first, so git starts before the key is
        computed and the record is read, unless a watcher will likely answer instead."""
        digest = zlib.crc32(self.config_path.encode("utf-8", "surrogateescape"))
        return os.path.join(self.git_dir, "phasegate", "cache", f"last-root-{digest:08x}")

    @property
    def record_path(self) -> str:
        # only names the file: the whole key is stored and compared (zlib imports faster)
        digest = zlib.crc32(repr(self.key).encode("utf-8", "surrogateescape"))
        return os.path.join(self.git_dir, "phasegate", "cache", f"replay-{digest:08x}.marshal")


_probe: Probe | None = None  # set by replay() on a miss, for this process's detect to record
# (tasks.replay_record reads it: what this process may record, and under which key)
last_outcome = "off"  # "hit", "miss: <why>" or "off: <why>": for tests and debugging, never printed


def replay(argv: list[str]) -> int | None:
    """On a hit, write the recorded output and return the exit code; else None (run normally)."""
    global _probe, last_outcome
    _probe = None
    try:
        probe, why = _make_probe(argv)
        if probe is None:
            last_outcome = why
            return None
        _probe = probe
        record, why = _matching_record(probe, _early_listing(probe))
    except Exception as exc:  # noqa: BLE001 - any doubt is a normal run, never a failure
        record, why = None, f"{type(exc).__name__}: {exc}"
    if record is None:
        last_outcome = f"miss: {why}"
        return None
    last_outcome = "hit"
    _write_outputs(record)
    return int(record["code"])


def _early_listing(probe: Probe) -> tuple[str, Spawned] | None:
    """Start git on the root the last record listed, if one was recorded for this config."""
    try:
        with open(probe.root_pointer, "rb") as fh:
            root, watched = fh.read().split(b"\0")
        if watched:
            return None  # recorded while a watcher ran: git is started only if none answers
        return os.fsdecode(root), start_listing(os.fsdecode(root))
    except (OSError, ValueError):
        return None


def _make_probe(argv: list[str]) -> tuple[Probe | None, str]:
    if os.environ.get(DISABLE_ENV, "") not in ("", "0"):
        return None, f"off: {DISABLE_ENV} is set"
    moved = [name for name in GIT_LOCATION_ENV if name in os.environ]
    if moved or any(name.startswith("GIT_CONFIG_KEY_") for name in os.environ):
        return None, f"off: {(moved or ['GIT_CONFIG_KEY_*'])[0]} is set"
    if sys.stdout.isatty() or sys.stderr.isatty():
        # at a terminal a normal run draws (and erases) a progress bar: not byte-identical
        return None, "off: a terminal"
    try:
        cwd = os.getcwd()
        config_path = os.path.realpath(os.path.join(cwd, config_arg(argv)))
        git_dir = git_dir_of(os.path.dirname(config_path))
        if git_dir is None:
            return None, "off: the config is not in a git work tree"
        configs = config_texts(git_dir)  # read once: the watcher check reads them too
        relaxed = relaxed_stat_config(git_dir, configs)
        if relaxed:
            return None, f"off: git's {relaxed} is set"
        return Probe(_key(argv, cwd, config_path), config_path, git_dir, configs), ""
    except (OSError, ValueError) as exc:
        return None, f"off: {exc}"


def _key(argv: list[str], cwd: str, config_path: str) -> tuple[Any, ...]:
    streams = tuple((stream.isatty(), stream.encoding, stream.errors)
                    for stream in (sys.stdout, sys.stderr))
    env = (tuple(os.environ.get(name) for name in ENV_KEYS),
           tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("GIT_"))))
    return (FORMAT, PACKAGE.__version__, sys.version, sys.executable, tuple(argv), cwd,
            config_path, streams, env, code_stats(), path_stats())


def _matching_record(probe: Probe, early: tuple[str, Spawned] | None
                     ) -> tuple[dict[str, Any] | None, str]:
    """The record to replay, or None and why not. Always reaps the ``early`` listing."""
    try:
        return _match(probe, early)
    except BaseException:
        if early is not None and early[1]:
            finish_listing(early[1])  # no zombie git, whatever went wrong
        raise


def _match(probe: Probe, early: tuple[str, Spawned] | None) -> tuple[dict[str, Any] | None, str]:
    git: Spawned = []
    try:
        with open(probe.record_path, "rb") as fh:
            record = marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        record = None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        why = "unreadable record" if record is not None else "no record"
    elif record.get("key") != probe.key:
        why = "key changed"
    elif record["config_path"] != probe.config_path or \
            git_dir_of(record["root"]) != probe.git_dir:
        why = "config or git dir moved"
    else:
        why = ""
    if early is not None:
        started = early[1]
        if why or early[0] != record["root"]:  # not started on the recorded root: unusable
            finish_listing(started)
        else:
            git = started
    if why:
        return None, why
    root = record["root"]
    if not git and _watched(probe, record):  # a watcher saw no change: no git needed
        why = _cheap_mismatch(record, probe)
        return (None, why) if why else (record, "")
    if not git:
        git = start_listing(root)  # runs while the cheaper checks below are done
    try:
        why = _cheap_mismatch(record, probe)
        # the folders' lstat, while git runs: a FIFO or socket named *.py git never lists
        folders = digest(folder_stats(root, record["folders"][0])) if not why else ""
    finally:
        listing = finish_listing(git)
    if why:
        return None, why
    if listing is None:
        return None, "git ls-files failed"
    if listed(root, listing, record["ignored"]) != record["listed"] or \
            folders != record["folders"][1]:
        return None, "files changed"
    return record, ""


def _watched(probe: Probe, record: dict[str, Any]) -> bool:
    """The record was taken while a watcher ran, and it says nothing but the record's ignored
    paths changed since (what decides git's ignores unchanged too)."""
    watch = record.get("watch")
    if not watch:
        return False
    token, sources = watch
    root = record["root"]
    return sources == ignore_sources(probe.git_dir, root, probe.configs) and \
        unchanged_since(root, token, record["ignored"])


def _cheap_mismatch(record: dict[str, Any], probe: Probe) -> str:
    try:
        with open(probe.config_path, "rb") as fh:
            if fh.read() != record["config"]:
                return "config changed"
    except OSError:
        return "config unreadable"
    if repo_state(probe.git_dir) != record["repo"]:
        return "index, HEAD or journal changed"
    codemods = record["codemods"]
    if codemods is not None and tuple(sorted(tree_stats(codemods[0]))) != codemods[1]:
        return "a project codemod changed"
    return ""


def _write_outputs(record: dict[str, Any]) -> None:
    output = record["output"]
    if output is not None:
        path, data = output
        with open(path, "wb") as fh:
            fh.write(data)
    if record["stdout"]:
        sys.stdout.write(record["stdout"])
        sys.stdout.flush()
    if record["stderr"]:
        sys.stderr.write(record["stderr"])
        sys.stderr.flush()
