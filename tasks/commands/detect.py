"""Report every use of a deprecated name, per rule and phase (exit 1 when any is found)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from .. import config as config_mod
from .. import early_git
from ..detect.engine import detect, has_cache
from ..errors import EXIT_FOUND, EXIT_OK, EXIT_USAGE, MigrationError
from ..model import DetectResult
from ..report import formats
from ._common import add_jobs, jobs, recover_first

ORDER = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--phase", help="only this phase's files and rules")
    parser.add_argument("--format", choices=formats.names(), default=None,
                        help="output format (default: table on a terminal, text otherwise)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    ratchet = parser.add_mutually_exclusive_group()
    ratchet.add_argument("--baseline", action="store_true",
                         help="ratchet: fail (exit 1) only when a rule's count grew past the "
                              "[baseline] recorded in phases.toml")
    ratchet.add_argument("--update-baseline", action="store_true",
                         help="record the current counts as the [baseline] in phases.toml")
    parser.add_argument("--no-cache", action="store_true", help="ignore and do not write the cache")
    parser.add_argument("--history-file", metavar="PATH",
                        help="append this run's counts to PATH instead of the history in the "
                             "state dir (a CI job that keeps the history in the repository)")
    add_jobs(parser)


def run(args: argparse.Namespace) -> int:
    from ..detect import replay_record
    from ..report import render as report

    config = config_mod.read(args.config)
    recover_first(config)
    if args.phase:
        config.phase(args.phase)  # a clear error for an unknown phase
    # the fingerprint is taken before the scan: an edit made during it makes the next run miss;
    # without a detect cache no file can come from it, and only such runs are recorded
    snap = (None if args.no_cache or args.update_baseline
            or not has_cache(config, phase=args.phase)
            else replay_record.snapshot(config, args.output))
    if snap is not None:  # the listing must come after the fingerprint: none asked early
        early_git.drop()
    result = detect(config, phase=args.phase, use_cache=not args.no_cache,
                    jobs=jobs(args.jobs))
    counts = Counter(v.rule for v in result.violations)
    fmt = args.format or report.default_format()
    text = report.render(result, config, fmt, baseline=config.baseline or None)
    written = _emit(text, args.output)
    _record_counts(config, result, args.phase)
    if not args.phase:  # only a run that read the whole project is a point of the history
        from ..report import history

        history.record(config, result, history_file=args.history_file)
    if args.update_baseline:
        from ..state import write_baseline

        write_baseline(config, {rid: counts.get(rid, 0) for rid in config.rules})
        print(f"baseline updated: {sum(counts.values())} violation(s) over "
              f"{len(config.rules)} rule(s) recorded in {config.path.name}", file=sys.stderr)
        return EXIT_OK
    code, notes = EXIT_FOUND if result.violations else EXIT_OK, ""
    if args.baseline:
        code, notes = _ratchet(config, counts)
        sys.stderr.write(notes)
    if snap is not None:
        replay_record.record(config, snap, result, stdout="" if args.output else written,
                             stderr=notes, code=code,
                             output=(args.output, written) if args.output else None)
    return code


def _ratchet(config: config_mod.Config, counts: Counter[str]) -> tuple[int, str]:
    """The ratchet's exit code and its lines for stderr."""
    from ..report import render as report

    if not config.baseline:
        raise MigrationError(f"{config.path.name}: no [baseline] recorded yet "
                             "(run: phasegate detect --update-baseline)", EXIT_USAGE)
    grown = report.compare_baseline(dict(counts), config.baseline)
    lines = [f"ratchet: {line}" for line in grown]
    if not grown:
        lines.append("ratchet: no rule's count grew past the baseline")
    return (EXIT_FOUND if grown else EXIT_OK), "".join(f"{line}\n" for line in lines)


def _emit(text: str, output: str | None) -> str:
    """Write the report to ``output`` or stdout; returns exactly what was written."""
    if output:
        written = text if text.endswith("\n") else text + "\n"
        Path(output).write_text(written, encoding="utf-8")
        return written
    if not text:
        return ""
    written = text if text.endswith("\n") else text + "\n"
    sys.stdout.write(written)
    return written


def _record_counts(config: config_mod.Config, result: DetectResult, phase: str | None) -> None:
    """Write each phase's current count back into phases.toml (the tracker's 'now' column)."""
    from ..recorded import counts_to_record

    if not counts_to_record(config, result, phase):
        return  # nothing recorded changes: phases.toml is not locked, parsed or written
    from ..state import record_detect

    record_detect(config, result, phase=phase)
