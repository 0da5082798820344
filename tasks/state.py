"""Status written back into phases.toml: ``[status.<phase>]`` tables and the ``[baseline]``.

The file is edited with tomlkit so every comment, blank line and key order outside the tables
phasegate owns stays byte for byte what the user wrote. Writes are atomic (tmp file in the same
directory, fsync, ``os.replace``, fsync of the directory) and keep the file's mode and its
line endings (a CRLF file stays CRLF).

Layout written for each phase::

    [status.p0]
    status = "complete"            # pending | in-progress | complete | rolled-back
    updated = "2026-11-25T03:40:00Z"
    violations_before = 21
    violations_after = 0
    violations_now = 0             # the latest detect's count for the phase
    files_done = ["pkg/a.py"]
    files_pending = []

    [status.p0.gates.syntax]
    result = "pass"
    duration = 0.12
    summary = "14 file(s) compile"
"""

from __future__ import annotations

import fcntl
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.items import Table

from .config import Config
from .errors import EXIT_USAGE, MigrationError
from .model import DetectResult
from .recorded import now_iso
from .recorded import parse_document as _parse
from .recorded import read_status as read_status  # the reading half lives there (tomllib)

STATUSES = ("pending", "in-progress", "complete", "rolled-back")


def record_phase(
    config: Config,
    phase_id: str,
    *,
    status: str,
    counts_before: int | Mapping[str, int] | None = None,
    counts_after: int | Mapping[str, int] | None = None,
    gates: Sequence[Mapping[str, Any]] | None = None,
    files_done: Iterable[str] | None = None,
    files_pending: Iterable[str] | None = None,
) -> None:
    """Write ``[status.<phase>]``. Fields left ``None`` keep their recorded value, except
    ``gates``: when given, the phase's gate tables are replaced by exactly those results."""
    phase = config.phase(phase_id).id
    if status not in STATUSES:
        raise MigrationError(f"unknown phase status '{status}' (one of {', '.join(STATUSES)})")
    fields: dict[str, Any] = {"status": status, "updated": now_iso()}
    if counts_before is not None:
        fields["violations_before"] = _total(counts_before)
    if counts_after is not None:
        fields["violations_after"] = _total(counts_after)
    if files_done is None and status in ("rolled-back", "pending"):
        files_done = ()  # undone: whatever an earlier run recorded as done is not done now
    if files_done is not None:
        fields["files_done"] = sorted(set(files_done))
    if files_pending is not None:
        fields["files_pending"] = sorted(set(files_pending))
    gate_rows = None if gates is None else [_gate_row(g) for g in gates]

    def edit(doc: tomlkit.TOMLDocument) -> bool:
        _set_phase(doc, phase, fields, gate_rows)
        return True

    _edit(config, edit)


def record_detect(config: Config, result: DetectResult, *, phase: str | None = None) -> None:
    """After a detect, store ``violations_now`` for each phase that already has a
    ``[status.<phase>]`` table (one a migration touched, or one recorded before).

    Phases never recorded are left alone: they are implicitly pending, and a fresh clone's
    phases.toml stays clean however often detect runs. ``phase`` restricts the update to one
    phase (a detect limited to it counted nothing else). The file is only rewritten when a
    count changed, so repeated detects leave it alone.
    """
    counts = Counter(v.phase for v in result.violations)
    phases = [p.id for p in config.phases if phase is None or p.id == phase.lower()]

    def edit(doc: tomlkit.TOMLDocument) -> bool:
        changed = False
        recorded = _plain(doc.get("status"))
        for pid in phases:
            old = recorded.get(pid)
            if not isinstance(old, dict) or old.get("violations_now") == counts.get(pid, 0):
                continue
            fields = {"violations_now": counts.get(pid, 0), "updated": now_iso()}
            if old.get("status", "pending") == "pending":
                fields["violations_before"] = counts.get(pid, 0)
            _set_phase(doc, pid, fields, None)
            changed = True
        return changed

    _edit(config, edit)


def write_baseline(config: Config, counts: Mapping[str, int]) -> None:
    """Write ``[baseline]`` as ``rule = count``: existing lines keep their comments, rules no
    longer counted are dropped, new ones are appended."""
    wanted = {str(k): int(v) for k, v in counts.items()}

    def edit(doc: tomlkit.TOMLDocument) -> bool:
        table = doc.get("baseline")
        if table is None:
            table = tomlkit.table()
            _append(doc, "baseline", table)
        elif not isinstance(table, (Table, OutOfOrderTableProxy)):
            raise MigrationError("cannot record the baseline: [baseline] is not a table")
        for key in [k for k in table if k not in wanted]:
            del table[key]
        for key, value in wanted.items():
            if table.get(key) != value:
                table[key] = value
        return True

    _edit(config, edit)


# -- editing ---------------------------------------------------------------------------------

def _set_phase(doc: tomlkit.TOMLDocument, phase: str, fields: Mapping[str, Any],
               gate_rows: list[dict[str, Any]] | None) -> None:
    status = doc.get("status")
    if status is None:
        status = tomlkit.table(is_super_table=True)
        _append(doc, "status", status)
    elif not isinstance(status, (Table, OutOfOrderTableProxy)):
        raise MigrationError("cannot record status: [status] is not a table", EXIT_USAGE)
    # [status.*] tables split by another table come back as a proxy; it edits them in place.
    old = _plain(status.get(phase))
    merged = {k: v for k, v in old.items() if k != "gates"}
    merged.update(fields)
    gates = old.get("gates") if gate_rows is None else {
        r["name"]: {k: v for k, v in r.items() if k != "name"} for r in gate_rows}
    status[phase] = _phase_table(merged, gates if isinstance(gates, dict) else {})


def _phase_table(fields: Mapping[str, Any], gates: Mapping[str, Any]) -> Table:
    table = tomlkit.table()
    order = ("status", "updated", "violations_before", "violations_after", "violations_now",
             "files_done", "files_pending")
    for key in [*order, *sorted(set(fields) - set(order))]:
        if key in fields and not isinstance(fields[key], dict):
            table.add(key, _array(fields[key]) if isinstance(fields[key], list) else fields[key])
    if gates:
        sub = tomlkit.table(is_super_table=True)
        for name, row in gates.items():
            gate = tomlkit.table()
            for key, value in row.items():
                gate.add(key, value)
            sub.add(name, gate)
        table.add("gates", sub)
    table.add(tomlkit.nl())
    return table


def _array(items: list[Any]) -> Any:
    """Short lists on one line, long ones one item per line (diffs stay readable)."""
    arr = tomlkit.array()
    arr.extend(items)
    if len(items) > 3:
        arr.multiline(True)
    return arr


def _gate_row(gate: Mapping[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"name": str(gate["name"]),
                           "result": "pass" if gate.get("passed") else "fail"}
    if gate.get("duration") is not None:
        row["duration"] = round(float(gate["duration"]), 2)
    if gate.get("summary"):
        row["summary"] = " ".join(str(gate["summary"]).split())
    facts = gate.get("facts")
    for key, value in (facts.items() if isinstance(facts, Mapping) else ()):
        if isinstance(value, (int, float, str)) or (isinstance(value, list) and value):
            row[str(key)] = value  # pass rates, flaky and fixed tests: shown by the tracker
    return row


def _append(doc: tomlkit.TOMLDocument, key: str, table: Table) -> None:
    if doc.body and not _ends_blank(doc):
        doc.add(tomlkit.nl())
    doc.add(key, table)


def _ends_blank(doc: tomlkit.TOMLDocument) -> bool:
    return tomlkit.dumps(doc).endswith("\n\n")


def _plain(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    raw = value.unwrap() if hasattr(value, "unwrap") else value
    return dict(raw) if isinstance(raw, dict) else {}


# -- the file ----------------------------------------------------------------------------------

def _edit(config: Config, edit: Any) -> None:
    """Read, let ``edit`` change the document (it returns whether it did), write atomically.

    The read-modify-write holds a lock so a detect recording counts and a migrate recording
    its status at the same moment cannot lose each other's update.
    """
    path = config.path
    with _locked(config):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise MigrationError(f"{path}: cannot read to record status: {exc.strerror}") from None
        doc = _parse(path, data)
        if not edit(doc):
            return
        text = tomlkit.dumps(doc)
        if b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""):
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")  # new lines follow the file
        out = text.encode("utf-8")
        if out != data:
            atomic_write(path, out)


@contextmanager
def _locked(config: Config) -> Iterator[None]:
    """An exclusive flock in phasegate's state dir (never in the working tree); waits."""
    from .statedir import state_dir  # the one definition of where state lives

    try:
        lock_dir = state_dir(config)
        lock_dir.mkdir(parents=True, exist_ok=True)
        fh = open(lock_dir / "phases-toml.lock", "a+b")  # noqa: SIM115 - closed below
    except OSError:
        yield  # a read-only state dir: recording still works, just unserialised
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        fh.close()  # closing releases the flock


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically and durably, keeping its mode (journal.fsutil)."""
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o644
    try:
        from .journal import fsutil  # here: reading the status needs no journal

        fsutil.write_durable(path, data, mode)
    except OSError as exc:
        raise MigrationError(f"{path}: cannot record status: {exc.strerror}") from None


def _total(counts: int | Mapping[str, int]) -> int:
    return int(counts) if isinstance(counts, int) else sum(int(v) for v in counts.values())
