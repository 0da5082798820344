"""Recording what the journal did into ``[status]``: the use cases of ``recover`` and ``rollback``.

The journal says what it did (a rollback report, the phases recovery settled) and never writes
phases.toml itself; these functions run the journal step, then record the outcome with
tasks.state, so the status is written from one layer. A status that cannot be written (the
phase was removed from phases.toml, a read-only or full disk) never undoes what the journal
did: it becomes a line saying so, and the next command records it again.
"""

from __future__ import annotations

from . import journal, state
from .config import Config
from .errors import MigrationError


def record(config: Config, phase_id: str, status: str) -> str:
    """Write the phase's status; '' when written, else the line that says why not."""
    try:
        state.record_phase(config, phase_id, status=status)
    except MigrationError as exc:
        return "" if phase_id not in {p.id for p in config.phases} else \
            f"status of phase {phase_id} not recorded: {exc.message}"
    except OSError as exc:
        return (f"status of phase {phase_id} not recorded ({exc.filename or config.path}: "
                f"{exc.strerror or exc}); the next command records it")
    return ""


def recover(config: Config) -> tuple[list[str], list[journal.RollbackReport]]:
    """Roll back what a crash left unfinished, record the statuses; the lines to print."""
    done = journal.recover_reports(config)
    lines = list(done.lines)
    events: list[tuple[str, journal.Txn]] = []  # for the history, once each
    for txn, status in done.settled:
        problem = record(config, txn.phase, status)
        if problem:
            lines.append(problem)
        elif status == "complete" and txn.phase in {p.id for p in config.phases}:
            journal.mark_recorded(txn)
            lines.append(f"recovered: phase {txn.phase} had committed; status recorded")
            events.append(("migrated", txn))
        if status == "rolled-back":  # rolled back now: never settled again
            events.append(("rolled-back", txn))
    if events:  # the history gets what the interrupted run could not write
        from .report import history

        for event, txn in events:
            history.record_event(config, event, txn.phase,
                                 f"recovered after an interrupted run ({txn.id})")
    return lines, done.reports


def rollback(config: Config, phase_id: str | None) -> tuple[journal.RollbackReport, list[str]]:
    """Roll back a committed phase (newest first) and record it; the report and any warning."""
    report = journal.rollback_phase(config, phase_id)
    problem = record(config, report.phase, "rolled-back") if report.clean else ""
    return report, [problem] if problem else []
