"""The safety ladder: syntax, lint, imports, unit, integration, mission-critical.

``before_apply`` records what the gates compare against (lint diagnostics and import statements
of the files about to change, failing tests of each no-new-failures tier, reused when the tree
hash matches); ``run_ladder`` runs the phase's gates in order after apply and stops at the first
failure unless ``keep_going``. Each gate returns a :class:`GateResult`; none raises for a gate
that merely fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from ..config import GATE_NAMES, TEST_GATES, Config, Phase
from ..discover import discover, spec
from ..errors import EXIT_GATE, EXIT_USAGE, MigrationError
from ..progress import log
from . import affected as gates_affected
from . import junit as gates_junit
from . import shard as gates_shard
from . import static as gates_static
from . import tiers as gates_tests
from .imports import imports_gate
from .results import Baseline, GateResult, LadderResult, TierBaseline

__all__ = ["Baseline", "GateResult", "LadderResult", "before_apply", "run_ladder", "format_ladder"]


def phase_files(config: Config, phase: Phase) -> list[str]:
    matcher = spec(phase.files)
    return [f for f in discover(config.root, config.exclude).files if matcher.match_file(f)]


def before_apply(config: Config, phase: Phase, records_dir: Path, *,
                 changed: Sequence[str] | None = None, all_tests: bool = False,
                 only: Sequence[str] | None = None) -> Baseline:
    """Record the pre-phase state the gates compare against; run on the untouched tree.

    ``changed`` (the plan's files) narrows the snapshot and the unit baseline to what the
    phase touches; without it the phase's whole file set is snapshotted and tiers run in full.
    Pass the same ``all_tests`` as to :func:`run_ladder`: a baseline recorded on the affected
    tests only knows nothing of the others, whose failures then all count as new. ``only``
    (as ``--gates``) skips what the gates that will not run would need.
    """
    if only is not None:
        _check_only(only)
        phase = replace(phase, gates=tuple(g for g in phase.gates if g in only))
    records_dir.mkdir(parents=True, exist_ok=True)
    files = list(changed) if changed is not None else phase_files(config, phase)
    base = Baseline()
    if "imports" in phase.gates or "lint" in phase.gates:
        base.sources = _read(config.root, files)
    if "lint" in phase.gates:
        diags = gates_static.lint(config, files, records_dir / "lint-before.log")
        if isinstance(diags, str):
            base.lint_ok = False
            base.notes.append(f"lint before apply: {diags}")
        else:
            base.lint = gates_static.by_file(diags)
    tiers = [g for g in TEST_GATES if g in phase.gates and gates_tests.configured(config, g)
             and config.gate(g).policy == "no-new-failures"]
    if tiers:
        tree = gates_tests.tree_hash(config)
        for name in tiers:
            base.tiers[name] = _tier_baseline(config, name, tree, records_dir,
                                              None if all_tests else changed)
    return base


def _read(root: Path, files: Iterable[str]) -> dict[str, bytes]:
    out = {}
    for rel in files:
        try:
            out[rel] = (root / rel).read_bytes()
        except OSError:
            continue
    return out


def _tier_baseline(config: Config, name: str, tree: str, records_dir: Path,
                   changed: Sequence[str] | None) -> TierBaseline:
    gate = config.gate(name)
    store = records_dir.parent / "_baselines"
    full = gates_tests.baseline_key(tree, gate, None)
    files, tests, _ = _selection(config, name, changed or [], records_dir,
                                 all_tests=changed is None)
    key = gates_tests.baseline_key(tree, gate, files)
    for candidate in dict.fromkeys((full, key)):  # a full-tier baseline serves any subset
        found = gates_tests.load_baseline(store, name, candidate)
        if found is not None:
            log(f"{name}: reusing the baseline recorded for this tree ({len(found.failed)}"
                " known failure(s))")
            return found
    if files == []:
        return TierBaseline(name, key, frozenset(), 0)
    log(f"{name}: recording the baseline on the untouched tree")
    workers = _workers(config, name, tests if files is None else files, records_dir)
    run = gates_tests.run_tier(config, gate, records_dir, f"{name}-baseline", files, workers)
    if run.report is None or run.outcome.timed_out:
        why = (f"timed out after {gate.timeout:g}s" if run.outcome.timed_out
               else f"pytest exited {run.outcome.returncode} without a report")
        raise MigrationError(f"gate {name}: baseline on the untouched tree {why}; nothing was"
                             f" applied (see {run.outcome.log})", EXIT_GATE)
    tier = TierBaseline(name, key, frozenset(run.report.failed), run.report.total)
    gates_tests.save_baseline(store, tier)
    return tier


def _selection(config: Config, name: str, changed: Sequence[str], records_dir: Path, *,
               all_tests: bool) -> tuple[list[str] | None, list[str], str]:
    """(the affected test files or None for the whole tier, the tier's files, a report line)."""
    gate = config.gate(name)
    every = discover(config.root).files
    tests = gates_shard.tier_files(config, gate, every)
    if name != "unit" or all_tests or not gate.affected:
        return None, tests, ""
    graph = gates_affected.build(config.root, every, config.src,
                                 cache=records_dir.parent / "import-graph.json")
    chosen = gates_affected.select(graph, changed, tests)
    if chosen is None:
        return None, tests, f"all {len(tests)} test files (a non-Python file changed)"
    return chosen, tests, f"selected {len(chosen)} of {len(tests)} test files"


def _workers(config: Config, name: str, files: Sequence[str], records_dir: Path) -> str:
    reports = records_dir.parent.rglob("*.xml") if records_dir.parent.is_dir() else []
    return gates_tests.workers_for(config.gate(name), files, gates_junit.durations(reports))


def run_ladder(config: Config, phase: Phase, changed: list[str], *, baseline: Baseline,
               records_dir: Path, only: Sequence[str] | None = None, keep_going: bool = False,
               all_tests: bool = False, manual_sites: Sequence[object] = ()) -> LadderResult:
    """Run the phase's gates in ladder order on the applied tree."""
    if only is not None:
        _check_only(only)
    records_dir.mkdir(parents=True, exist_ok=True)
    result = LadderResult()
    for name in phase.gates:
        if only is not None and name not in only:
            continue
        log(f"gate {name}: running")  # the results are the caller's to print
        gate_result = _run_gate(config, phase, name, changed, baseline, records_dir,
                                all_tests, manual_sites)
        result.results.append(gate_result)
        if not gate_result.passed and not keep_going:
            break
    return result


def _check_only(only: Sequence[str]) -> None:
    unknown = [g for g in only if g not in GATE_NAMES]
    if unknown:
        raise MigrationError(f"--gates: unknown gate '{unknown[0]}'"
                             f" (gates: {', '.join(GATE_NAMES)})", EXIT_USAGE)


def _run_gate(config: Config, phase: Phase, name: str, changed: list[str], baseline: Baseline,
              records_dir: Path, all_tests: bool, manual_sites: Sequence[object]) -> GateResult:
    if name == "syntax":
        return gates_static.syntax_gate(config, changed, records_dir / "syntax.log")
    if name == "lint":
        before = baseline.lint if baseline.lint_ok else {}
        return gates_static.lint_gate(config, changed, before, records_dir / "lint.log")
    if name == "imports":
        return imports_gate(config, phase, changed, baseline.sources, manual_sites,
                            records_dir / "imports.log")
    return _test_gate(config, name, changed, baseline, records_dir, all_tests)


def _test_gate(config: Config, name: str, changed: list[str], baseline: Baseline,
               records_dir: Path, all_tests: bool) -> GateResult:
    if not gates_tests.configured(config, name):
        return GateResult(name, True, 0.0, f"not configured (no [gates.{name}]): skipped")
    files, tests, selection = _selection(config, name, changed, records_dir,
                                         all_tests=all_tests)
    if files == []:
        return GateResult(name, True, 0.0, f"{selection}: nothing imports the changed files")
    workers = _workers(config, name, tests if files is None else files, records_dir)
    run = gates_tests.run_tier(config, config.gate(name), records_dir, name, files, workers)
    return gates_tests.evaluate(name, config.gate(name), run, baseline.tiers.get(name),
                                selection)


def format_ladder(result: LadderResult) -> list[str]:
    """One line per gate, then its details (a passing imports gate still lists the sites left
    to a person), and for a failed gate where its full report is."""
    lines = []
    for gate in result.results:
        lines.append(gate.line())
        lines += [f"  {d}" for d in gate.details]
        if not gate.passed and gate.report:
            lines.append(f"  full report: {gate.report}")
    return lines
