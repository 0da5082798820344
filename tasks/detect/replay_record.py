"""Recording a detect run for :mod:`tasks.replay`: its fingerprint before the scan, its answer
after (see tasks/replay.py for what is checked and why). Called by the detect command only, so
this side may import the rest of phasegate; the replay side may not.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import time
from typing import TYPE_CHECKING, Any

from . import replay, replay_git, replay_key

if TYPE_CHECKING:
    from ..config import Config
    from ..model import DetectResult


class Snapshot:
    """The fingerprint taken before a detect scans, to be stored with its answer."""

    def __init__(self, probe: replay.Probe, root: str, repo: tuple[Any, ...],
                 listed: tuple[Any, ...], ignored: tuple[str, ...],
                 config: tuple[bytes, replay_git.Stat],
                 watch: tuple[Any, ...] | None = None) -> None:
        self.probe, self.root, self.repo, self.listed, self.ignored = (
            probe, root, repo, listed, ignored)
        self.watch = watch  # (the watcher's token, ignore sources) when one ran
        self.started = 0  # when the fingerprint was taken, ns (for racy changes)
        self.codemods: tuple[str, tuple[Any, ...]] | None = None  # see _codemod_stats
        self.config = config  # phases.toml's bytes and lstat: this run must not change them


def snapshot(config: Config, output: str | None) -> Snapshot | None:
    """The fingerprint now, when this run may be recorded (else None)."""
    try:
        return _snapshot(config, output)
    except Exception:  # noqa: BLE001 - recording is an optimisation, never a failure
        return None


def _snapshot(config: Config, output: str | None) -> Snapshot | None:
    probe, replay._probe = replay._probe, None  # one run records once, with its own argv's key
    if probe is None or str(config.path) != probe.config_path:
        return None
    root = str(config.root)
    if replay_git.git_dir_of(root) != probe.git_dir or not _same_state_dir(config, probe.git_dir):
        return None
    started = time.time_ns()
    watch = _watch_token(probe.git_dir, root)  # before anything is read, like git's listing
    settled = _config_state(config)
    repo = replay_git.repo_state(probe.git_dir)
    listing = replay_git.git_listing(root)
    if listing is None or settled is None:
        return None
    ignored = _ignored(root, str(config.path), output)
    listed = replay_git.listed(root, listing, ignored)
    # the config was parsed a moment ago: one changed since could differ from what was parsed
    if _racy(((b"", settled[1]), *listed), started):
        return None
    codemods = _codemod_stats(config)  # before the scan, like the rest
    if codemods is not None and _racy(tuple((b"", st[1:]) for st in codemods[1]), started):
        return None
    snap = Snapshot(probe, root, repo, listed, ignored, settled, watch)
    snap.started, snap.codemods = started, codemods
    return snap


def _watch_token(git_dir: str, root: str) -> tuple[Any, ...] | None:
    """The running watcher's token and what decides git's ignores now, or None (no watcher,
    or an excludes file named in a git config, which the watcher does not follow)."""
    from . import watch_client

    sources = replay_git.ignore_sources(git_dir, root)
    if sources is None:
        return None
    answer = watch_client.ask(root)
    return None if answer is None else (answer[0], sources)


def _config_state(config: Config) -> tuple[bytes, replay_git.Stat] | None:
    key = replay_git.lstat_key(str(config.path))
    if key is None:
        return None
    with open(config.path, "rb") as fh:
        return fh.read(), key


def record(config: Config, snap: Snapshot, result: DetectResult, *, stdout: str, stderr: str,
           code: int, output: tuple[str, str] | None) -> bool:
    """Store the run's answer when it may be replayed; False when not (a failure is ignored,
    like the detect cache's: an optimisation, never a failure)."""
    try:
        return _record(config, snap, result, stdout=stdout, stderr=stderr, code=code,
                       output=output)
    except Exception:  # noqa: BLE001 - recording is an optimisation, never a failure
        return False


def _record(config: Config, snap: Snapshot, result: DetectResult, *, stdout: str, stderr: str,
            code: int, output: tuple[str, str] | None) -> bool:
    """Store the run's answer with its fingerprint, atomically.

    Only a run that took every file from the per-file cache is recorded: its JSON summary says
    ``files_parsed: 0`` and ``cache_hits: <all>``, as the normal warm run a replay stands for
    would, where a cold run's counts would be a stale claim.
    """
    if result.files_parsed or result.cache_hits != result.files_scanned:
        return False
    # Checked now rather than before the scan (only runs that will be recorded pay for them):
    # the index and journal were fingerprinted before it, so a change since makes a miss.
    if not _journal_clean(config) or _unchecked_entries(snap.root):
        return False
    if _config_state(config) != snap.config:
        return False  # rewritten during the run (its [status] counts, or by a person)
    if result.linked:  # an edit through another name of such a file is no event here
        snap.watch = None
    if not result.folders:
        return False  # not listed by git: no folder was searched for what git never lists
    folders = b"\0".join(os.fsencode(folder) for folder in result.folders)
    stats = replay_git.folder_stats(snap.root, folders)
    if _racy(tuple((b"", st) for st in stats), snap.started):
        return False  # a folder changed since just before the fingerprint: maybe during it
    body = {"format": replay.FORMAT, "key": snap.probe.key, "root": snap.root,
            "config_path": snap.probe.config_path, "config": snap.config[0],
            "repo": snap.repo, "listed": snap.listed, "ignored": snap.ignored,
            "watch": snap.watch, "folders": (folders, replay_git.digest(stats)),
            "codemods": snap.codemods,
            "stdout": stdout, "stderr": stderr, "code": int(code),
            "output": None if output is None else
            (os.path.abspath(output[0]), output[1].encode("utf-8"))}
    path = snap.probe.record_path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        marshal.dump(body, fh)
    os.replace(tmp, path)
    pointer = snap.probe.root_pointer
    with open(f"{pointer}.{os.getpid()}.tmp", "wb") as fh:
        fh.write(os.fsencode(snap.root) + (b"\0watched" if snap.watch else b"\0"))
    os.replace(f"{pointer}.{os.getpid()}.tmp", pointer)
    return True


def _codemod_stats(config: Config) -> tuple[str, tuple[Any, ...]] | None:
    """The project's codemods folder and its files' lstat: git may ignore that folder, and an
    edited codemod changes what detect finds (the detect cache keys it by content)."""
    if config.codemods is None:
        return None
    folder = str(config.codemods)
    return folder, tuple(sorted(replay_key.tree_stats(folder)))


def forget_records(git_dir: str) -> None:
    """Drop every replay record of this repository: a record taken without the watcher that now
    runs (or under an earlier one) would be replayed through git, and a hit never records again,
    so the next run, missing, records with the new watcher's token."""
    cache = os.path.join(git_dir, "phasegate", "cache")
    try:
        names = os.listdir(cache)
    except OSError:
        return
    for name in names:
        if name.startswith("replay-") and name.endswith(".marshal"):
            try:
                os.unlink(os.path.join(cache, name))
            except FileNotFoundError:
                pass


def _same_state_dir(config: Config, git_dir: str) -> bool:
    """Records are looked up under the git dir found by walking up; only record when that is
    where phasegate's state really lives (git itself agrees, no project.state_dir elsewhere)."""
    from ..statedir import state_dir

    return os.path.realpath(state_dir(config)) == os.path.realpath(
        os.path.join(git_dir, "phasegate"))


def _ignored(root: str, config_path: str, output: str | None) -> tuple[str, ...]:
    """Listed paths whose lstat does not matter: the config (compared by its bytes) and the
    report file this command writes (unless detect could scan it)."""
    out = [os.path.relpath(config_path, root)]
    if output is not None:
        rel = os.path.relpath(os.path.abspath(output), root)
        if not rel.endswith(".py") and os.path.basename(rel) != ".gitignore":
            out.append(rel)
    return tuple(sorted(p for p in out if not p.startswith("..")))


def _racy(listed: tuple[Any, ...], started: int) -> bool:
    """A listed file changed so recently that a same-size edit could keep its lstat."""
    recent = started - replay.RACY_NS
    return any(st is not None and max(st[1], st[3]) >= recent for _, st in listed)


def _journal_clean(config: Config) -> bool:
    """Nothing for recovery to do (a pending or unrecorded transaction is never skipped)."""
    from ..errors import MigrationError
    from ..journal.store import COMMITTED, PENDING, recorded, status, transactions

    try:
        for txn in transactions(config):
            state = status(txn)
            if state in PENDING or (state == COMMITTED and not recorded(txn)):
                return False
    except (MigrationError, OSError):
        return False
    return True


def _unchecked_entries(root: str) -> bool:
    """True when an index entry is assume-unchanged or skip-worktree: diff-files skips those."""
    try:
        proc = subprocess.run(["git", "-C", root, "ls-files", "-z", "-v", "--", "."],
                              capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return True
    if proc.returncode != 0:
        return True
    return any(entry[:1].islower() or entry[:1] == b"S"
               for entry in proc.stdout.split(b"\0") if entry)
