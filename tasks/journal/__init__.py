"""The journal: what makes a phase undoable (public entry points).

``apply`` journals and replaces a phase's files (tasks.journal_apply), ``commit`` seals it once
the gates passed, ``rollback_phase`` undoes the newest committed phase (tasks.journal_rollback),
and ``recover`` rolls back any phase a crash left prepared but neither committed nor rolled
back. Every public function that writes takes the repository lock (tasks.lock) itself; the lock
is re-entrant, so ``migrate`` can hold it across the whole flow. The journal never writes a
phase's status into phases.toml: it says what it did (:class:`Recovery`), and the use cases
(tasks.migrate, tasks.settle) record it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..config import Config
from ..errors import EXIT_USAGE, MigrationError
from ..statedir import journal_dir
from . import crashpoints, fsutil, lock, memory
from .apply_txn import Change, Transaction, apply_checked, check, link_reason
from .apply_txn import apply as _apply
from .store import (
    ABANDONED,
    COMMITTED,
    CONFLICTED,
    NEW,
    PENDING,
    ROLLING_BACK,
    Txn,
    lock_path,
    log_step,
    recorded,
    records_dir,
    status,
    transactions,
)
from .undo import Conflict, RollbackReport, rollback_txn

__all__ = ["Change", "Conflict", "Recovery", "RollbackReport", "Transaction", "Txn", "apply",
           "apply_checked", "check", "commit", "committed_phases", "is_pending", "journal_dir",
           "link_reason", "locked", "mark_recorded", "modified", "recover", "recover_reports",
           "records_dir", "rollback", "rollback_phase"]


@dataclass
class Recovery:
    """What recovery did: lines to print, the rollbacks it ran, and the phase statuses the
    caller must record (``(txn, status)``; a committed one then gets ``mark_recorded``)."""

    lines: list[str] = field(default_factory=list)
    reports: list[RollbackReport] = field(default_factory=list)
    settled: list[tuple[Txn, str]] = field(default_factory=list)


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


def commit(config: Config, transaction: Transaction) -> list[str]:
    """Seal an applied phase after its gates passed; re-hashes every target first. Returns
    warnings (the phase is committed once its 'committed' log line is durable)."""
    with locked(config):
        crashpoints.hit("apply-after-gates")
        changed = modified(config, transaction)
        if changed:
            raise MigrationError(f"refusing to commit: changed after apply: {', '.join(changed)}",
                                 EXIT_USAGE)
        crashpoints.hit("apply-before-commit-log")
        try:
            log_step(transaction.txn, "committed")
        except OSError as exc:
            if status(transaction.txn) != COMMITTED:
                raise  # the 'committed' line never became durable: the phase is not committed
            # the line is durable, only its marker file is missing: committed it is
            return [f"warning: phase {transaction.phase} committed, but its marker could not "
                    f"be written ({exc.filename or transaction.txn.dir}: "
                    f"{exc.strerror or exc})"]
        crashpoints.hit("apply-after-commit-log")
        return []


def is_pending(transaction: Transaction) -> bool:
    """True while the transaction is applied but neither committed nor rolled back."""
    return status(transaction.txn) in PENDING


def mark_recorded(transaction: Transaction | Txn) -> None:
    """The committed status is in phases.toml; recovery need not write it again."""
    log_step(transaction.txn if isinstance(transaction, Transaction) else transaction,
             "recorded")


def rollback(config: Config, transaction: Transaction) -> RollbackReport:
    """Undo an applied (not yet committed) phase, e.g. after a gate failed. When its journal
    can no longer be used (deleted, unwritable), the pre-images this run still holds in memory
    restore the tree instead, verified the same way, and the report says so."""
    with locked(config):
        try:
            return rollback_txn(config.root, transaction.txn)
        except (MigrationError, OSError) as exc:
            if not transaction.images:
                raise
            why = exc.message if isinstance(exc, MigrationError) else \
                f"{exc.filename or transaction.txn.dir}: {exc.strerror or exc}"
            return memory.restore(config.root, transaction.phase, transaction.txn.id,
                                  transaction.entries, transaction.images, why)


def rollback_phase(config: Config, phase_id: str | None = None) -> RollbackReport:
    """Roll back ``phase_id`` (default: the newest committed phase), newest phase first."""
    with locked(config):
        txn = _rollback_target(config, phase_id)
        return rollback_txn(config.root, txn)


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


def recover_reports(config: Config) -> Recovery:
    """Roll back every phase a crash left unfinished; the lines say what was done."""
    txns = transactions(config)
    pending = [t for t in txns if status(t) in PENDING]
    unrecorded = [t for t in txns if status(t) == COMMITTED and not recorded(t)]
    done = Recovery()
    if not pending and not unrecorded:
        return done
    try:
        lock.acquire(lock_path(config))
    except MigrationError as exc:  # a live run owns these transactions: leave them to it
        done.lines = [f"recovery skipped: {exc.message}"] if pending else []
        return done
    try:
        for txn in pending:
            if status(txn) in PENDING:  # re-read under the lock
                _recover_one(config, txn, done)
        done.settled += [(t, "complete") for t in unrecorded
                         if status(t) == COMMITTED and not recorded(t)]
    finally:
        lock.release(lock_path(config))
    return done


def _recover_one(config: Config, txn: Txn, done: Recovery) -> None:
    state = status(txn)
    if state == NEW:
        log_step(txn, ABANDONED)
        done.lines.append(f"recovered: {txn.id} (phase {txn.phase}) was interrupted before any"
                          " file was touched; discarded")
        return
    report = rollback_txn(config.root, txn, "recover")
    done.reports.append(report)
    if report.clean:
        done.settled.append((txn, "rolled-back"))
    what = "half-rolled-back" if state == ROLLING_BACK else "half-applied"
    done.lines += [f"recovered: phase {txn.phase} was left {what} by an interrupted run "
                   f"({txn.id}); rolled it back", *report.lines()]


def recover(config: Config) -> list[str]:
    """Recovery's lines alone (statuses unrecorded): for callers that record nothing."""
    return recover_reports(config).lines
