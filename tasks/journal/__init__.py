"""The journal: what makes a phase undoable (public entry points).

``apply`` journals and replaces a phase's files (tasks.journal_apply), ``commit`` seals it once
the gates passed, ``rollback_phase`` undoes the newest committed phase (tasks.journal_rollback),
and ``recover`` rolls back any phase a crash left prepared but neither committed nor rolled
back. Every public function that writes takes the repository lock (tasks.lock) itself; the lock
is re-entrant, so ``migrate`` can hold it across the whole flow.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..config import Config
from ..errors import EXIT_USAGE, MigrationError
from . import crashpoints, fsutil, lock
from .apply_txn import Change, Transaction, check, link_reason
from .apply_txn import apply as _apply
from .store import (
    ABANDONED,
    COMMITTED,
    CONFLICTED,
    NEW,
    PENDING,
    ROLLING_BACK,
    Txn,
    journal_dir,
    lock_path,
    log_step,
    recorded,
    records_dir,
    status,
    transactions,
)
from .undo import Conflict, RollbackReport, rollback_txn

__all__ = ["Change", "Conflict", "RollbackReport", "Transaction", "apply", "check", "commit",
           "committed_phases", "is_pending", "journal_dir", "link_reason", "locked",
           "mark_recorded", "modified", "recover", "recover_reports", "records_dir", "rollback",
           "rollback_phase"]


@contextmanager
def locked(config: Config) -> Iterator[None]:
    """Hold the repository lock (fails at once with ``locked by pid N``, exit 2)."""
    with lock.locked(lock_path(config)):
        yield


def apply(config: Config, phase_id: str, changes: Sequence[Change], *,
          allow_dirty: bool = False) -> Transaction:
    with locked(config):
        return _apply(config, phase_id, changes, allow_dirty=allow_dirty)


def modified(config: Config, transaction: Transaction) -> list[str]:
    """Targets that no longer hold their post-image (a gate must not change them)."""
    return [e.path for e in transaction.entries
            if fsutil.inspect(config.root / e.path).sha256 != e.post]


def commit(config: Config, transaction: Transaction) -> None:
    """Seal an applied phase after its gates passed; re-hashes every target first."""
    with locked(config):
        crashpoints.hit("apply-after-gates")
        changed = modified(config, transaction)
        if changed:
            raise MigrationError(f"refusing to commit: changed after apply: {', '.join(changed)}",
                                 EXIT_USAGE)
        crashpoints.hit("apply-before-commit-log")
        log_step(transaction.txn, "committed")
        crashpoints.hit("apply-after-commit-log")


def is_pending(transaction: Transaction) -> bool:
    """True while the transaction is applied but neither committed nor rolled back."""
    return status(transaction.txn) in PENDING


def mark_recorded(transaction: Transaction) -> None:
    """The committed status is in phases.toml; recovery need not write it again."""
    log_step(transaction.txn, "recorded")


def rollback(config: Config, transaction: Transaction) -> RollbackReport:
    """Undo an applied (not yet committed) phase, e.g. after a gate failed."""
    with locked(config):
        return rollback_txn(config.root, transaction.txn)


def rollback_phase(config: Config, phase_id: str | None = None) -> RollbackReport:
    """Roll back ``phase_id`` (default: the newest committed phase), newest phase first."""
    with locked(config):
        txn = _rollback_target(config, phase_id)
        report = rollback_txn(config.root, txn)
        if report.clean:
            _record(config, txn.phase, "rolled-back")
        return report


def committed_phases(config: Config, phase_id: str | None = None) -> list[str]:
    """Phases with a committed (or conflicted) migration to roll back, oldest first."""
    live = [t.phase for t in transactions(config) if status(t) in (COMMITTED, CONFLICTED)]
    return [p for p in live if phase_id is None or p == phase_id.lower()]


def _rollback_target(config: Config, phase_id: str | None) -> Txn:
    live = [t for t in transactions(config) if status(t) in (COMMITTED, CONFLICTED)]
    if not live:
        raise MigrationError("nothing to roll back: no committed phase in the journal "
                             f"({journal_dir(config)})", EXIT_USAGE)
    if phase_id is None:
        return live[-1]
    wanted = phase_id.lower()
    mine = [t for t in live if t.phase == wanted]
    if not mine:
        done = ", ".join(sorted({t.phase for t in live}))
        raise MigrationError(f"nothing to roll back for phase '{wanted}': it has no committed "
                             f"migration (committed: {done})", EXIT_USAGE)
    newer = [t for t in live if t.seq > mine[-1].seq and t.phase != wanted]
    if newer:
        raise MigrationError(f"phase '{newer[-1].phase}' was committed after '{wanted}'; roll "
                             f"back newest first: phasegate rollback {newer[-1].phase}",
                             EXIT_USAGE)
    return mine[-1]


def recover_reports(config: Config) -> tuple[list[str], list[RollbackReport]]:
    """Roll back every phase a crash left unfinished; the lines say what was done."""
    txns = transactions(config)
    pending = [t for t in txns if status(t) in PENDING]
    unrecorded = [t for t in txns if status(t) == COMMITTED and not recorded(t)]
    if not pending and not unrecorded:
        return [], []
    try:
        lock.acquire(lock_path(config))
    except MigrationError as exc:  # a live run owns these transactions: leave them to it
        return ([f"recovery skipped: {exc.message}"] if pending else []), []
    lines: list[str] = []
    reports: list[RollbackReport] = []
    try:
        for txn in pending:
            if status(txn) in PENDING:  # re-read under the lock
                lines += _recover_one(config, txn, reports)
        lines += _rerecord(config, unrecorded)
    finally:
        lock.release(lock_path(config))
    return lines, reports


def _recover_one(config: Config, txn: Txn, reports: list[RollbackReport]) -> list[str]:
    state = status(txn)
    if state == NEW:
        log_step(txn, ABANDONED)
        return [f"recovered: {txn.id} (phase {txn.phase}) was interrupted before any file was "
                "touched; discarded"]
    report = rollback_txn(config.root, txn, "recover")
    reports.append(report)
    if report.clean:
        _record(config, txn.phase, "rolled-back")
    what = "half-rolled-back" if state == ROLLING_BACK else "half-applied"
    return [f"recovered: phase {txn.phase} was left {what} by an interrupted run ({txn.id});"
            " rolled it back", *report.lines()]


def _rerecord(config: Config, txns: list[Txn]) -> list[str]:
    """A phase committed just before a crash gets its status written to phases.toml."""
    out = []
    for txn in txns:
        if status(txn) == COMMITTED and not recorded(txn):
            if _record(config, txn.phase, "complete"):
                log_step(txn, "recorded")
                out.append(f"recovered: phase {txn.phase} had committed; status recorded")
    return out


def recover(config: Config) -> list[str]:
    """What every command calls first; returns the lines to print (empty when nothing to do)."""
    return recover_reports(config)[0]


def _record(config: Config, phase_id: str, state: str) -> bool:
    """Write the phase's status to phases.toml when tasks.state is available."""
    try:
        from .. import state as state_mod
    except ImportError:
        return False
    try:
        state_mod.record_phase(config, phase_id, status=state)
    except MigrationError:
        return False  # e.g. the phase was removed from phases.toml since; the journal still says
    return True
