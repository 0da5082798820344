"""The journal on disk: where it lives, its manifest (with its own hash) and its append-only log.

Layout, under the state dir (``<git-dir>/phasegate/``, else ``project.state_dir``, else a per-user
cache dir keyed by the root; never the working tree, so no clone can carry a journal in)::

    journal/lock                      flock: one run per repository (always under the git dir
                                      when there is one, whatever the state dir)
    journal/<NNNN>-<phase>/blobs/<sha256>   pre- and post-images, by content hash
    journal/<NNNN>-<phase>/manifest.json    entries (path, pre, size, mode, post) + their sha256
    journal/<NNNN>-<phase>/log.jsonl        one fsync'd JSON line per step
    journal/<NNNN>-<phase>/conflicts/<k>/   pre/post/current copies of conflicting files
    records/<phase>/                         gate reports
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..config import Config
from ..errors import EXIT_USAGE, MigrationError
from ..repo import git_dir
from ..statedir import journal_dir, state_dir
from . import fsutil

MANIFEST_VERSION = 1
_TXN = re.compile(r"^(\d{4,})-([a-z0-9][a-z0-9_-]*)$")
# States a transaction can be in, derived from its log.
NEW, PREPARED, COMMITTED, ROLLING_BACK, CONFLICTED, ROLLED_BACK, ABANDONED = (
    "new", "prepared", "committed", "rolling-back", "conflicted", "rolled-back", "abandoned")
PENDING = (NEW, PREPARED, ROLLING_BACK)  # what recovery must finish
# Steps also marked by an empty file beside the log (written after the log line): a marker
# whose step is missing from the log means the log lost lines, e.g. a 'committed' phase that
# would otherwise be taken for an unfinished one and rolled back.
MARKED = ("prepared", "committed")


@dataclass(frozen=True)
class Entry:
    """One file of a phase: its path and the hashes, size and mode before and after."""

    path: str
    pre: str
    size: int
    mode: int
    post: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "pre": self.pre, "size": self.size, "mode": self.mode,
                "post": self.post}


@dataclass(frozen=True)
class Txn:
    """One apply of one phase: its directory under the journal."""

    dir: Path
    seq: int
    phase: str

    @property
    def id(self) -> str:
        return self.dir.name

    @property
    def log(self) -> Path:
        return self.dir / "log.jsonl"

    @property
    def manifest(self) -> Path:
        return self.dir / "manifest.json"

    def blob(self, digest: str) -> Path:
        return self.dir / "blobs" / digest


def lock_path(config: Config) -> Path:
    """One lock per repository: under the git dir whatever ``state_dir`` says (two configs of
    one checkout must not migrate at once), else beside the journal."""
    gdir = git_dir(config.root)
    return (gdir / "phasegate" / "journal" if gdir else journal_dir(config)) / "lock"


def records_dir(config: Config, phase_id: str) -> Path:
    path = state_dir(config) / "records" / phase_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def transactions(config: Config) -> list[Txn]:
    """Every transaction, oldest first."""
    base = journal_dir(config)
    if not base.is_dir():
        return []
    out = []
    for child in base.iterdir():
        match = _TXN.match(child.name)
        if match and child.is_dir():
            out.append(Txn(child, int(match.group(1)), match.group(2)))
    return sorted(out, key=lambda t: t.seq)


def new_txn(config: Config, phase_id: str) -> Txn:
    seq = max((t.seq for t in transactions(config)), default=0) + 1
    txn_dir = journal_dir(config) / f"{seq:04d}-{phase_id}"
    fsutil.mkdir_durable(txn_dir / "blobs")
    return Txn(txn_dir, seq, phase_id)


# -- log -------------------------------------------------------------------------------------

def log_step(txn: Txn, step: str, **fields: Any) -> None:
    record = {"step": step, "time": round(time.time(), 3), "pid": os.getpid(), **fields}
    _drop_cut_line(txn.log)
    fsutil.append_durable(txn.log, (json.dumps(record, sort_keys=True) + "\n").encode())
    if step in MARKED:
        fsutil.write_durable(txn.dir / step, b"")


def _drop_cut_line(log: Path) -> None:
    """Cut off a last line a crash left without its newline, so the next step starts clean."""
    try:
        with log.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0 or (fh.seek(size - 1), fh.read(1))[1] == b"\n":
                return
            fh.seek(0)
            keep = fh.read().rfind(b"\n") + 1
    except FileNotFoundError:
        return
    fd = os.open(log, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.ftruncate(fd, keep)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_log(txn: Txn) -> list[dict[str, Any]]:
    """The log's steps. A last line without its newline was cut by a crash mid-append and is
    ignored (its step never became durable); any other unreadable line is tampering."""
    try:
        data = txn.log.read_bytes()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    steps = []
    for number, line in enumerate(lines[:-1], 1):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict) or not isinstance(record.get("step"), str):
            raise _refuse(txn, f"{txn.log.name} line {number} is not a journal step")
        steps.append(record)
    return steps


def status(txn: Txn) -> str:
    """The transaction's state, replayed from its log (refused when the log lost lines)."""
    records = read_log(txn)
    steps = {r["step"] for r in records}
    for step in MARKED:
        if step not in steps and (txn.dir / step).exists():
            raise _refuse(txn, f"{txn.log.name} is truncated (its '{step}' step is missing)")
    state = NEW
    for record in records:
        step = record["step"]
        if step == "prepared" and state == NEW:
            state = PREPARED
        elif step == "committed":
            state = COMMITTED
        elif step == "rollback-started":
            state = ROLLING_BACK
        elif step == "rollback-conflicts":
            state = CONFLICTED
        elif step in (ROLLED_BACK, ABANDONED):
            state = step
    return state


def recorded(txn: Txn) -> bool:
    """True once the committed status was written to phases.toml."""
    return any(r["step"] == "recorded" for r in read_log(txn))


# -- manifest --------------------------------------------------------------------------------

def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def write_manifest(txn: Txn, entries: list[Entry]) -> None:
    body = {"version": MANIFEST_VERSION, "txn": txn.id, "phase": txn.phase,
            "entries": [e.to_dict() for e in entries]}
    doc = {"body": body, "sha256": fsutil.sha256(_canonical(body))}
    fsutil.write_durable(txn.manifest, json.dumps(doc, indent=1, sort_keys=True).encode())


def read_manifest(txn: Txn, root: Path) -> list[Entry]:
    """The manifest's entries, refused (exit 2, nothing written) unless its hash matches and
    every path stays inside the root."""
    try:
        doc = json.loads(txn.manifest.read_bytes())
        body = doc["body"]
        ok = fsutil.sha256(_canonical(body)) == doc["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        raise _refuse(txn, "manifest.json is missing or unreadable") from None
    if not ok:
        raise _refuse(txn, "manifest.json does not match its sha256")
    try:
        entries = [Entry(str(e["path"]), str(e["pre"]), int(e["size"]), int(e["mode"]),
                         str(e["post"])) for e in body["entries"]]
    except (KeyError, TypeError, ValueError):
        raise _refuse(txn, "manifest.json has a malformed entry") from None
    for entry in entries:
        why = unsafe_path(root, entry.path, follow=False)
        if why:
            raise _refuse(txn, f"manifest path {entry.path!r} {why}")
    return entries


def unsafe_path(root: Path, rel: str, *, follow: bool = True) -> str:
    """Why ``rel`` may not be written under ``root`` ('' when it may). ``follow=False`` checks
    the text alone; a directory replaced by a link is then the caller's per-file concern."""
    pure = PurePosixPath(rel)
    if not rel or pure.is_absolute() or "\\" in rel or "\0" in rel:
        return "is not a relative posix path"
    if any(part in ("..", ".", "") for part in rel.split("/")):
        return "escapes the project root"
    if not follow:
        return ""
    real_root = root.resolve()
    parent = (root / rel).parent.resolve()
    if parent != real_root and real_root not in parent.parents:
        return "escapes the project root (through a link)"
    return ""


def load_blob(txn: Txn, digest: str) -> bytes:
    """A stored image, refused if its bytes do not hash to its name."""
    try:
        data = txn.blob(digest).read_bytes()
    except OSError:
        raise _refuse(txn, f"blob {digest[:12]} is missing") from None
    if fsutil.sha256(data) != digest:
        raise _refuse(txn, f"blob {digest[:12]} does not match its sha256")
    return data


def _refuse(txn: Txn, why: str) -> MigrationError:
    return MigrationError(f"journal {txn.dir}: {why}; refusing to use it (nothing was written;"
                          " inspect or remove that directory)", EXIT_USAGE)
