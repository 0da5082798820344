"""The migrate use case: lock, recover, plan, baselines, apply, ladder, commit or rollback.

One function per step, each given what the step before decided: the phase is resolved once,
the requested gates are validated once (before anything is written), each file is compared
with its planned pre-image once by ``journal.check`` (apply then compares again only right
before each replace), and the status is written here, never by the journal.

What each exit code guarantees about the tree (README, "Exit codes"): 0 the phase committed;
2 nothing was written; 3 the phase was rolled back and verified (a gate failed, or anything
else went wrong after apply: a failed status write, a vanished journal, SIGTERM); 4 the
rollback met files changed since and kept them. Ctrl-C rolls back too (exit 130).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from . import journal, settle, state
from .config import Config, Phase
from .errors import EXIT_CONFLICT, EXIT_GATE, EXIT_OK, EXIT_USAGE, MigrationError
from .progress import log
from .report import history

if TYPE_CHECKING:  # libcst and the gates are heavy: imported when a migration really runs
    from .gates.results import Baseline, LadderResult
    from .plan import Plan


GateRow = dict[str, object]  # one gate's line in [status.<phase>]


@dataclass(frozen=True)
class Options:
    """What the command line asks of a migration."""

    phase: str
    gates: str | None = None  # --gates A,B as typed
    allow_dirty: bool = False
    keep_going: bool = False
    all_tests: bool = False
    strict: bool = False  # refuse the phase when one file cannot be rewritten


class Terminated(BaseException):
    """SIGTERM arrived (a CI job was cancelled): unwind like Ctrl-C, through the rollback."""


def run(config: Config, options: Options) -> int:
    """Migrate one phase; returns the exit code (errors raise :class:`MigrationError`)."""
    phase = config.phase(options.phase)
    only = requested_gates(config, phase, options.gates)
    try:
        with journal.locked(config), sigterm_raises():
            _say(settle.recover(config)[0])
            plan = _plan(config, phase, options.strict)
            return _migrate(config, phase, plan, options, only)
    except Terminated:
        raise MigrationError("terminated by SIGTERM before anything was applied; nothing was "
                             "written", EXIT_USAGE) from None


def plan_only(config: Config, phase_id: str, *, strict: bool = False) -> Plan:
    """``--dry-run``: recover, then the plan, under the lock; writes nothing else."""
    phase = config.phase(phase_id)
    with journal.locked(config):
        _say(settle.recover(config)[0])
        return _plan(config, phase, strict, diffs=True)


def requested_gates(config: Config, phase: Phase,
                    text: str | None) -> tuple[str, ...] | None:
    """``--gates``: known names (the gate registry checks them) that are all in the phase's
    ladder: a requested gate is never silently dropped."""
    from .gates.spec import check_only

    names = check_only(config, text)
    if names is None:
        return None
    outside = [g for g in names if g not in phase.gates]
    if outside:
        raise MigrationError(f"--gates: gate '{outside[0]}' is not in phase {phase.id}'s "
                             f"ladder (its gates: {', '.join(phase.gates) or 'none'}); nothing"
                             " was written", EXIT_USAGE)
    return tuple(names)


def sigterm_raises() -> AbstractContextManager[None]:
    """While inside, SIGTERM raises :class:`Terminated` (once: a second one cannot cut the
    rollback short). A no-op outside the main thread, where no handler can be set."""
    def on_term(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated

    return _sigterm(on_term)


def _sigterm_ignored() -> AbstractContextManager[None]:
    """Once the phase is committed or rolled back, a SIGTERM must not turn the exit code into
    'nothing was written': it is ignored while the status and history are recorded."""
    return _sigterm(signal.SIG_IGN)


@contextmanager
def _sigterm(handler: signal.Handlers | Callable[[int, FrameType | None], None]
             ) -> Iterator[None]:
    """SIGTERM handled by ``handler`` while inside, the previous handler back after it."""
    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: no handler can be set
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _plan(config: Config, phase: Phase, strict: bool, *, diffs: bool = False) -> Plan:
    from .plan import build_plan  # imported late: only migrate and plan need libcst

    return build_plan(config, phase.id, strict=strict, diffs=diffs)


def _migrate(config: Config, phase: Phase, plan: Plan, options: Options,
             only: tuple[str, ...] | None) -> int:
    from .gates import ladder

    for skip in plan.skipped:
        print(f"skipped {skip.path}: {skip.reason}")
    for failed in plan.failures:  # per-file outcomes (--strict refuses the phase instead)
        print(f"not rewritten {failed.path}: {failed.reason}")
    if not plan.changes:
        print(f"phase {phase.id}: nothing to rewrite ({len(plan.manual)} site(s) left to a "
              "person)")
        return EXIT_OK
    todo, skipped = journal.check(config, plan.changes, options.allow_dirty)  # before baselines
    records = journal.records_dir(config, phase.id)
    baseline = ladder.before_apply(config, phase, records, changed=[c.path for c in todo],
                                   all_tests=options.all_tests, only=only)
    txn = journal.apply_checked(config, phase.id, todo, skipped)
    for skip in txn.skipped:
        print(f"skipped {skip.path}: {skip.reason}")
    log(f"applied {len(txn.entries)} file(s) through the journal ({txn.txn.dir})")
    try:
        state.record_phase(config, phase.id, status="in-progress")
        return _gate_and_settle(config, phase, plan, txn, baseline, records, options, only)
    except BaseException as exc:  # anything between apply and commit: never leave it half-done
        if not _pending(txn):
            raise  # already committed: nothing to undo
        return _undo(config, phase, txn, exc)


def _pending(txn: journal.Transaction) -> bool:
    try:
        return journal.is_pending(txn)
    except (OSError, MigrationError):
        return True  # the log is gone or unreadable: nothing says it committed


def _gate_and_settle(config: Config, phase: Phase, plan: Plan, txn: journal.Transaction,
                     baseline: Baseline, records: Path, options: Options,
                     only: tuple[str, ...] | None) -> int:
    """Run the ladder on the applied tree, then commit, or roll back and say why."""
    from .gates import ladder as gates

    manual = plan.manual
    result = gates.run_ladder(config, phase, txn.paths, baseline=baseline, records_dir=records,
                              only=only, keep_going=options.keep_going,
                              all_tests=options.all_tests, manual_sites=manual)
    for line in gates.format_ladder(result):
        print(line)
    rows = _rows(result)
    failed = result.first_failure
    changed = [] if failed else journal.modified(config, txn)
    if failed or changed:
        why = (f"gate {failed.name} failed" if failed
               else f"a gate modified {', '.join(changed)} after apply")
        return _roll_back(config, phase, txn, why, rows, records)
    _say(journal.commit(config, txn))
    rewritten = len(plan.rewritten)
    with _sigterm_ignored():  # committed: a cancelled job now only waits for the bookkeeping
        _say(_record_commit(config, phase, txn, rows, rewritten, plan))
        history.record_event(config, "migrated", phase.id)
    total = sum(g.duration for g in result.results)
    print(f"phase {phase.id}: committed {len(txn.entries)} file(s), {rewritten} site(s) "
          f"rewritten, {len(manual)} left to a person; {len(result.results)} gate(s) passed in "
          f"{total:.2f}s (rollback: phasegate rollback {phase.id})")
    return EXIT_OK


def _rows(result: LadderResult) -> list[GateRow]:
    return [{"name": g.name, "passed": g.passed, "duration": g.duration, "summary": g.summary,
             "facts": g.facts} for g in result.results]


def _record_commit(config: Config, phase: Phase, txn: journal.Transaction,
                   rows: list[GateRow], rewritten: int, plan: Plan) -> list[str]:
    """Write the committed status; a failure is a warning (the phase stays committed and the
    next command records it: the journal does not say 'recorded' yet)."""
    manual = plan.manual
    try:
        state.record_phase(config, phase.id, status="complete", gates=rows,
                           counts_before=rewritten + len(manual), counts_after=len(manual),
                           files_done=txn.paths, files_pending=sorted({s.path for s in manual}))
        journal.mark_recorded(txn)
    except (OSError, MigrationError) as exc:
        return [f"warning: phase {phase.id} committed, but its status was not recorded "
                f"({_describe(exc)}); the next command records it"]
    return []


def _roll_back(config: Config, phase: Phase, txn: journal.Transaction, why: str,
               rows: list[GateRow], records: Path) -> int:
    report = journal.rollback(config, txn)
    with _sigterm_ignored():  # rolled back: the outcome stands, only the bookkeeping is left
        _say(report.lines(), sys.stdout)
        if report.clean:
            _say(_record_rollback(config, phase, rows))
        history.record_event(config, "rolled-back", phase.id, why)
    print(f"phase {phase.id}: {why}; the phase was rolled back (gate reports: {records})")
    return EXIT_GATE if report.clean else EXIT_CONFLICT


def _record_rollback(config: Config, phase: Phase, rows: list[GateRow] | None,
                     ) -> list[str]:
    try:
        state.record_phase(config, phase.id, status="rolled-back", gates=rows)
    except (OSError, MigrationError) as exc:
        return [f"status of phase {phase.id} not recorded ({_describe(exc)})"]
    return []


def _undo(config: Config, phase: Phase, txn: journal.Transaction, exc: BaseException) -> int:
    """Roll back after anything but a gate verdict stopped the flow, then say what it was:
    the exit code tells the tree's state (3 rolled back and verified, 4 conflicts kept)."""
    report = journal.rollback(config, txn)
    _say(report.lines())
    if report.clean:
        _say(_record_rollback(config, phase, None))
    code = EXIT_GATE if report.clean else EXIT_CONFLICT
    if isinstance(exc, KeyboardInterrupt):
        raise exc  # Ctrl-C: the CLI says "interrupted" (130); the tree is already restored
    if isinstance(exc, Terminated):
        cause = "terminated by SIGTERM"
    elif isinstance(exc, (OSError, MigrationError)):
        cause = _describe(exc)
    else:
        raise exc  # a bug (exit 70), with the tree rolled back and verified above
    outcome = "rolled back and verified" if report.clean else "rolled back with conflicts kept"
    raise MigrationError(f"{cause}; the phase was {outcome}", code)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, MigrationError):
        return exc.message
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return str(exc)


def _say(lines: Sequence[str], stream: TextIO | None = None) -> None:
    for line in lines:
        print(line, file=stream or sys.stderr)
