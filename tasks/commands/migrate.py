"""Apply a phase through the journal, run its gates, then commit or roll back (exit 0/3/4).

Flow: recover (a phase a crash left half-applied is rolled back first) -> lock -> plan (no
writes) -> gate baselines on the untouched tree -> journal apply -> gate ladder -> re-hash the
changed files (a gate that modified them fails the phase) -> commit and record the status in
phases.toml, or an automatic rollback and exit 3 (4 if the rollback met files changed since).
``--dry-run`` prints the plan and writes nothing (exit 1 when it would change files).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import config as config_mod
from .. import journal
from ..config import Config, Phase
from ..errors import EXIT_CONFLICT, EXIT_FOUND, EXIT_GATE, EXIT_OK
from ..gates.spec import check_only
from ..progress import log

ORDER = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("phase", metavar="PHASE", help="the phase to migrate (e.g. p0)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan (like `phasegate plan`) and write nothing")
    parser.add_argument("--allow-dirty", action="store_true",
                        help="apply even to files with uncommitted changes in git")
    parser.add_argument("--gates", metavar="A,B",
                        help="run only these gates of the phase's ladder (comma-separated)")
    parser.add_argument("--keep-going", action="store_true",
                        help="run every gate even after one failed (the phase still rolls back)")
    parser.add_argument("--all-tests", action="store_true",
                        help="run whole test tiers, not only the tests the change affects")


def run(args: argparse.Namespace) -> int:
    config, _ = config_mod.load(args.config)
    phase = config.phase(args.phase)
    only = check_only(config, args.gates)  # a typo fails before anything is applied
    with journal.locked(config):
        _say(journal.recover(config))
        plan = _build_plan(config, phase.id)
        if args.dry_run:
            return _print_plan(plan)
        return _migrate(config, phase, plan, args, only)


def _build_plan(config: Config, phase_id: str) -> Any:
    from .. import plan as plan_mod  # imported late: only migrate and plan need libcst

    return plan_mod.build_plan(config, phase_id)


def _migrate(config: Config, phase: Phase, plan: Any, args: argparse.Namespace,
             only: list[str] | None) -> int:
    from .. import state
    from ..gates import ladder as gates

    changes = list(plan.changes)
    for skip in getattr(plan, "skipped", []):
        print(f"skipped {skip.path}: {skip.reason}")
    if not changes:
        print(f"phase {phase.id}: nothing to rewrite ({len(plan.manual)} site(s) left to a "
              "person)")
        return EXIT_OK
    journal.check(config, changes, args.allow_dirty)  # refuse early, before slow baselines
    records = journal.records_dir(config, phase.id)
    baseline = gates.before_apply(config, phase, records, changed=[c.path for c in changes],
                                  all_tests=args.all_tests, only=only)
    txn = journal.apply(config, phase.id, changes, allow_dirty=args.allow_dirty)
    for skip in txn.skipped:
        print(f"skipped {skip.path}: {skip.reason}")
    log(f"applied {len(txn.entries)} file(s) through the journal ({txn.txn.dir})")
    try:
        state.record_phase(config, phase.id, status="in-progress")
        return _gate_and_settle(config, phase, plan, txn, baseline, records, args, only)
    except BaseException:
        # anything unexpected (or Ctrl-C) between apply and commit: never leave it half-done
        if not journal.is_pending(txn):
            raise  # already committed (or rolled back): nothing to undo
        for line in journal.rollback(config, txn).lines():
            print(line, file=sys.stderr)
        raise


def _gate_and_settle(config: Config, phase: Phase, plan: Any, txn: journal.Transaction,
                     baseline: Any, records: Path, args: argparse.Namespace,
                     only: list[str] | None) -> int:
    """Run the ladder on the applied tree, then commit, or roll back and say why."""
    from .. import state
    from ..gates import ladder as gates

    manual = list(plan.manual)
    ladder = gates.run_ladder(config, phase, txn.paths, baseline=baseline, records_dir=records,
                              only=only, keep_going=args.keep_going, all_tests=args.all_tests,
                              manual_sites=manual)
    for line in gates.format_ladder(ladder):
        print(line)
    rows = [{"name": g.name, "passed": g.passed, "duration": g.duration, "summary": g.summary,
             "facts": g.facts} for g in ladder.results]
    failed = ladder.first_failure
    changed = [] if failed else journal.modified(config, txn)
    if failed or changed:
        why = (f"gate {failed.name} failed" if failed
               else f"a gate modified {', '.join(changed)} after apply")
        return _roll_back(config, phase, txn, why, rows, records)
    journal.commit(config, txn)
    rewritten = sum(len(f.rewritten) for f in plan.files)
    state.record_phase(config, phase.id, status="complete", gates=rows,
                       counts_before=rewritten + len(manual), counts_after=len(manual),
                       files_done=txn.paths, files_pending=sorted({s.path for s in manual}))
    journal.mark_recorded(txn)
    total = sum(g.duration for g in ladder.results)
    print(f"phase {phase.id}: committed {len(txn.entries)} file(s), {rewritten} site(s) "
          f"rewritten, {len(manual)} left to a person; {len(ladder.results)} gate(s) passed in "
          f"{total:.2f}s (rollback: phasegate rollback {phase.id})")
    return EXIT_OK


def _roll_back(config: Config, phase: Phase, txn: journal.Transaction, why: str,
               rows: list[dict[str, Any]], records: Path) -> int:
    report = journal.rollback(config, txn)
    _say(report.lines(), sys.stdout)
    if report.clean:
        from .. import state

        state.record_phase(config, phase.id, status="rolled-back", gates=rows)
    print(f"phase {phase.id}: {why}; the phase was rolled back (gate reports: {records})")
    return EXIT_GATE if report.clean else EXIT_CONFLICT


def _print_plan(plan: Any) -> int:
    from . import plan as plan_cmd  # the same rendering as `phasegate plan`

    plan_cmd.show([plan], "text", sys.stdout)
    print(f"dry run: {len(plan.changes)} file(s) would change; nothing was written")
    return EXIT_FOUND if plan.changes else EXIT_OK


def _say(lines: Sequence[str], stream: Any = None) -> None:
    for line in lines:
        print(line, file=stream or sys.stderr)
