"""The tracker's history: one record per whole-project ``detect`` and per migrate / rollback.

Kept with the state (``<state dir>/history.jsonl``), or in a file a CI job commits
(``--history-file PATH``). One JSON object a line, append-only; each append is one ``write``
of the whole line under an flock, then an ``fsync``, so concurrent runs never interleave a line.
A record::

    {"v": 1, "time": "2026-11-25T03:40:00Z", "commit": "<sha>", "event": "detect",
     "phase": null, "note": "", "counts": {"p0": {"ws-factory": [12, 3]}},
     "files": {"p0": 7}, "status": {"p0": "in-progress"}}

``counts`` is phase -> rule -> [fixable, manual] (zeros left out), ``files`` the files pending
per phase, ``status`` the phases' recorded status in phases.toml. ``event`` is ``detect``,
``migrated`` or ``rolled-back`` (``phase`` names the phase). A change of ``status`` between two
records is a phase event too: a detect-only history (CI) still sees a phase land.

A replayed detect (tasks.detect.replay: nothing changed since the last run) appends nothing:
the run it replays recorded these very counts.

Bounded: past :data:`MAX_BYTES` the file is thinned (:func:`thin`) to about half, keeping the
first and last records and every phase event, and replaced atomically. A line that is not a
valid record (a crash cut it, a hand edit) is skipped with a warning, never a crash.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import early_git
from ..config import Config
from ..errors import EXIT_USAGE, MigrationError
from ..journal import fsutil
from ..model import DetectResult
from ..recorded import now_iso
from ..statedir import state_dir
from .history_thin import thin

VERSION = 1
EVENTS = ("detect", "migrated", "rolled-back")
MAX_BYTES = 2 << 20  # ~4,000 records of a project with a dozen rules
LOCK_WAIT = 30.0  # seconds a writer waits for another one to finish its append

Counts = dict[str, dict[str, tuple[int, int]]]  # phase -> rule -> (fixable, manual)


@dataclass(frozen=True)
class Record:
    time: str
    event: str = "detect"
    commit: str | None = None
    phase: str | None = None
    note: str = ""
    counts: Counts = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        body = {"v": VERSION, "time": self.time, "commit": self.commit, "event": self.event,
                "phase": self.phase, "note": self.note,
                "counts": {p: {r: list(c) for r, c in rules.items()}
                           for p, rules in self.counts.items()},
                "files": self.files, "status": self.status}
        return json.dumps(body, sort_keys=True, separators=(",", ":"))

    def total(self, phase: str) -> tuple[int, int]:
        """(fixable, manual) of ``phase`` over every rule."""
        rules = self.counts.get(phase, {}).values()
        return sum(c[0] for c in rules), sum(c[1] for c in rules)


def path_for(config: Config, history_file: str | Path | None = None) -> Path:
    """``--history-file`` when given (relative to the cwd), else ``<state dir>/history.jsonl``."""
    return Path(history_file) if history_file else state_dir(config) / "history.jsonl"


# -- building a record --------------------------------------------------------------------------

def make_record(config: Config, result: DetectResult, *, event: str = "detect",
                phase: str | None = None, note: str = "") -> Record:
    """The record of ``result`` now: counts per phase x rule, files pending, phase statuses."""
    if event not in EVENTS:
        raise MigrationError(f"unknown history event '{event}' (one of {', '.join(EVENTS)})")
    counts: dict[str, dict[str, list[int]]] = {}
    files: dict[str, set[str]] = {}
    for v in result.violations:
        cell = counts.setdefault(v.phase, {}).setdefault(v.rule, [0, 0])
        cell[0 if v.fixable else 1] += 1
        files.setdefault(v.phase, set()).add(v.path)
    return Record(time=now_iso(), event=event, commit=git_commit(config.root), phase=phase,
                  note=note,
                  counts={p: {r: (c[0], c[1]) for r, c in rules.items()}
                          for p, rules in counts.items()},
                  files={p: len(paths) for p, paths in files.items()},
                  status=recorded_status(config))


def git_commit(root: Path) -> str | None:
    answer = early_git.ask(str(root), early_git.HEAD, timeout=30)  # maybe asked early
    if answer is None or answer[0] != 0:
        return None
    return answer[1].decode("utf-8", "replace").strip() or None


def recorded_status(config: Config) -> dict[str, str]:
    """phase -> its ``[status.<phase>] status`` (tomllib: this runs after every detect)."""
    try:
        status = tomllib.loads(config.path.read_text(encoding="utf-8")).get("status", {})
    except (OSError, ValueError):
        return {}
    if not isinstance(status, dict):
        return {}
    return {str(p): str(t["status"]) for p, t in status.items()
            if isinstance(t, dict) and isinstance(t.get("status"), str)}


# -- reading ----------------------------------------------------------------------------------

def parse_line(line: bytes) -> Record:
    """One record, or ValueError saying what is wrong with the line."""
    try:
        body = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON ({exc.msg if hasattr(exc, 'msg') else exc})") from None
    if not isinstance(body, dict) or body.get("v") != VERSION:
        raise ValueError(f"not a version-{VERSION} record")
    if not isinstance(body.get("time"), str) or body.get("event") not in EVENTS:
        raise ValueError("no time or an unknown event")
    try:
        return Record(time=body["time"], event=body["event"], commit=_opt(body.get("commit")),
                      phase=_opt(body.get("phase")), note=str(body.get("note") or ""),
                      counts=_counts(body.get("counts")), files=_ints(body.get("files")),
                      status={str(k): str(v) for k, v in _dict(body.get("status")).items()})
    except (TypeError, ValueError):
        raise ValueError("counts are not phase -> rule -> [fixable, manual]") from None


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("not an object")
    return value


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("not a count")
    return value


def _ints(value: Any) -> dict[str, int]:
    return {str(k): _count(v) for k, v in _dict(value).items()}


def _pair(value: Any) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("not [fixable, manual]")
    return _count(value[0]), _count(value[1])


def _counts(value: Any) -> Counts:
    return {str(p): {str(r): _pair(c) for r, c in _dict(rules).items()}
            for p, rules in _dict(value).items()}


def load(path: Path) -> tuple[list[Record], list[str]]:
    """Every valid record, oldest first, and one warning per line that was skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [f"{path}: history not read ({exc.strerror})"]
    records: list[Record] = []
    warnings: list[str] = []
    lines = data.split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(parse_line(line))
        except ValueError as exc:
            cut = " (cut short: no newline)" if number == len(lines) else ""
            warnings.append(f"{path}:{number}: skipped a record that does not read: {exc}{cut}")
    return records, warnings


def read(path: Path) -> list[Record]:
    """:func:`load`, its warnings printed on stderr."""
    records, warnings = load(path)
    for line in warnings:
        print(f"phasegate: warning: {line}", file=sys.stderr)
    return records


# -- writing ----------------------------------------------------------------------------------

def append(path: Path, record: Record, *, lock: Path, max_bytes: int = MAX_BYTES) -> None:
    """Append ``record`` as one fsync'd line under the history lock; thin past ``max_bytes``."""
    fsutil.mkdir_durable(path.parent)
    with _locked(lock):
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            size = os.fstat(fd).st_size
            # a line a crash cut short stays alone on its line (skipped when read), never
            # glued to this one
            cut = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
            fsutil.write_all(fd, (b"\n" if cut else b"") + record.to_json().encode() + b"\n")
            os.fsync(fd)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if size > max_bytes:
            _thin_file(path)


def _thin_file(path: Path) -> None:
    records, warnings = load(path)
    for line in warnings:
        print(f"phasegate: warning: {line} (dropped while thinning)", file=sys.stderr)
    kept = thin(records, max(2, len(records) // 2))
    fsutil.write_durable(path, "".join(r.to_json() + "\n" for r in kept).encode(),
                         os.stat(path).st_mode & 0o777)


@contextmanager
def _locked(lock: Path) -> Iterator[None]:
    """Wait (at most :data:`LOCK_WAIT` s) for the history lock. A file of its own, not the
    history: thinning replaces the history's inode, and a writer waiting on the old one would
    append to a file no one reads."""
    fsutil.mkdir_durable(lock.parent)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise MigrationError(f"history not recorded: {lock} stayed locked for "
                                         f"{LOCK_WAIT:.0f}s", EXIT_USAGE) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)


# -- the hooks commands call ------------------------------------------------------------------

def record(config: Config, result: DetectResult, *, event: str = "detect",
           phase: str | None = None, note: str = "",
           history_file: str | Path | None = None) -> None:
    """Append the record of ``result``; a history that cannot be written is a warning (the
    command's own work is done and its exit code stands), never silent."""
    path = path_for(config, history_file)
    try:
        append(path, make_record(config, result, event=event, phase=phase, note=note),
               lock=state_dir(config) / "history.lock")
    except (OSError, MigrationError) as exc:
        why = exc.message if isinstance(exc, MigrationError) else f"{path}: {exc}"
        print(f"phasegate: warning: history not recorded: {why}", file=sys.stderr)


def record_event(config: Config, event: str, phase: str, note: str = "") -> None:
    """After a migrate commits or rolls back, or a rollback: the counts as they are now."""
    from ..detect.engine import detect

    record(config, detect(config), event=event, phase=phase, note=note)
