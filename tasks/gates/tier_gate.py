"""A test tier as a gate: what runs the unit, integration and mission-critical gates (their spec,
``tiers.tier_spec``, imports this module when one runs): the pytest runs behind one verdict.

Before apply: the tier's baseline on the untouched tree (every failing test, the pass rate,
how many tests were collected), reused while the tree and the command are the same. After
apply: the selected tests ``repeat`` times, stopping as soon as the outcome is decided; each
failing test the baseline does not know is re-run (``reruns``) before the phase is blamed; if
the run stopped early and a failure it stopped on proved flaky, the tier runs again in full.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..config.model import Config
from ..discover import discover, module_name
from ..errors import EXIT_USAGE, MigrationError
from ..progress import log
from . import affected as gates_affected
from . import baseline as gates_baseline
from . import junit as gates_junit
from . import shard as gates_shard
from .policy import Evidence, evaluate
from .results import GateResult, TierBaseline
from .spec import GateRun
from .tiers import TierRun, TierSettings, Watch, run_tier, tier, workers_for


def selection(config: Config, name: str, changed: Sequence[str], records: Path, *,
              all_tests: bool) -> tuple[list[str] | None, list[str], str]:
    """(the affected test files or None for the whole tier, the tier's files, a report line)."""
    gate = tier(config, name)
    every = discover(config.root).files
    tests = gates_shard.tier_files(config, gate, every)
    if not gate.affected or all_tests:
        return None, tests, ""
    graph = gates_affected.build(config.root, every, config.src,
                                 cache=records.parent / "import-graph.json")
    chosen = gates_affected.select(graph, changed, tests)
    if chosen is None:
        return None, tests, f"all {len(tests)} test files (a non-Python file changed)"
    return chosen, tests, f"selected {len(chosen)} of {len(tests)} test files"


def workers(config: Config, name: str, files: Sequence[str], records: Path) -> str:
    reports = records.parent.rglob("*.xml") if records.parent.is_dir() else []
    return workers_for(tier(config, name), files, gates_junit.durations(reports))


def record_baseline(run: GateRun, name: str) -> None:
    """Record (or reuse) the tier's baseline on the untouched tree into ``run.baseline``."""
    config, gate = run.config, tier(run.config, name)
    tree = run.baseline.extra.setdefault("tree", gates_baseline.tree_hash(config))
    store = run.records.parent / "_baselines"
    changed = None if run.all_tests else run.changed
    files, tests, _ = selection(config, name, changed or [], run.records,
                                all_tests=changed is None)
    full = gates_baseline.baseline_key(tree, gate, None)
    key = gates_baseline.baseline_key(tree, gate, files)
    for candidate in dict.fromkeys((key, full)):  # a full-tier baseline serves any subset
        found = gates_baseline.load_baseline(store, name, candidate)
        if found is not None and (candidate == key or gate.policy != "all-pass"):
            if candidate != key:  # the whole tier's count says nothing of this selection's
                found = replace(found, collected=None)
            log(f"{name}: reusing the baseline recorded for this tree ({len(found.failed)}"
                " known failure(s))")
            gates_baseline.save_baseline(store, found, latest_only=True)
            run.baseline.tiers[name] = found
            return
    if files == [] or not tests:
        return  # nothing to run: the gate fails (or passes loudly) on its own
    log(f"{name}: recording the baseline on the untouched tree")
    cores = workers(config, name, tests if files is None else files, run.records)
    only_collect = gate.policy == "all-pass"  # all-pass needs the count, not the failures
    result = run_tier(config, gate, run.records, f"{name}-baseline", Watch(files=files), cores,
                      extra=["--collect-only", "-q"] if only_collect else ())
    if result.report is None or result.outcome.timed_out:
        why = (f"timed out after {gate.timeout:g}s" if result.outcome.timed_out
               else f"pytest exited {result.outcome.returncode} without a report")
        raise MigrationError(f"gate {name}: baseline on the untouched tree {why}; nothing was"
                             f" applied (see {result.outcome.log})", EXIT_USAGE)
    rep = result.report
    failed = frozenset() if only_collect else frozenset(rep.failed)
    base = TierBaseline(name, key, failed, 0 if only_collect else rep.total,
                        passed=0 if only_collect else len(rep.passed),
                        collected=result.collected)
    gates_baseline.save_baseline(store, base)
    run.baseline.tiers[name] = base


def changed_modules(config: Config, changed: Sequence[str]) -> list[str]:
    """Dotted names of the changed non-test modules: they must import from the root."""
    patterns = gates_shard.python_files(config.root)
    return sorted({module_name(rel, config.src)[0] for rel in changed if rel.endswith(".py")
                   and not gates_shard.is_test_file(rel, patterns)
                   and not rel.endswith("conftest.py")})


def run_gate(run: GateRun, name: str) -> GateResult:
    config, gate = run.config, tier(run.config, name)
    files, tests, note = selection(config, name, run.changed, run.records,
                                   all_tests=run.all_tests)
    if files == [] or not tests:
        why = (f"{note}: no test imports the changed files" if tests
               else f"no test file in the tier (paths: {', '.join(gate.paths) or '.'})")
        if gate.allow_empty:
            return GateResult(name, True, 0.0, f"ran nothing (allow_empty = true): {why}")
        return GateResult(name, False, 0.0, f"no test to run: {why} (a tier that tests nothing"
                          " is not a pass; allow_empty = true to accept it)")
    base = run.baseline.tiers.get(name)
    tree = run.baseline.extra.get("tree")
    if base is not None and (tree is None or base.key != gates_baseline.baseline_key(
            tree, gate, files)):
        base = replace(base, collected=None)  # recorded for another selection: no count
    known = base.failed if base and gate.policy == "no-new-failures" else frozenset()
    watch = Watch(files=files, known=known, stop_after=_stop_after(gate, base),
                  modules=changed_modules(config, run.changed))
    cores = workers(config, name, tests if files is None else files, run.records)
    runs = [run_tier(config, gate, run.records, name if i == 0 else f"{name}-run{i + 1}",
                     watch, cores) for i in range(gate.repeat)]
    ev = Evidence(runs, note=note)
    if gate.repeat == 1:
        rerun_failures(config, gate, run.records, name, ev, known)
        first = runs[0]
        cut_short = first.report is not None and first.report.total < (first.collected or 0)
        if ev.flaky and cut_short and not first.facts.get("outside"):
            log(f"{name}: the run stopped on a flaky test; running the tier again in full")
            again = Watch(files=files, known=known | set(ev.flaky), stop_after=0,
                          modules=watch.modules)
            ev.runs = [run_tier(config, gate, run.records, f"{name}-full", again, cores)]
    result = evaluate(name, gate, ev, base)
    if ev.flaky:
        gates_junit.mark_flaky(ev.runs[0].junit, ev.flaky)
    return result


def _stop_after(gate: TierSettings, base: TierBaseline | None) -> int:
    """How many failures (not known) decide the outcome; 0: the run must not stop early."""
    if gate.repeat > 1 and not gate.consistent:
        return 0  # a failure in one repetition may pass in the others
    if gate.policy != "pass-rate":
        return gate.stop_after
    if base is None or not base.collected or gate.stop_after == 0:
        return 0
    return math.floor((1 - gate.min_pass_rate) * base.collected + 1e-9) + 1


def rerun_failures(config: Config, gate: TierSettings, records: Path, name: str,
                    ev: Evidence, known: frozenset[str]) -> None:
    """Re-run each failing test the baseline does not know, up to ``reruns`` times, in a
    fresh pytest: one that passes is flaky, not a regression."""
    first: TierRun = ev.runs[0]
    nodeids: dict[str, str] = dict(first.facts.get("failed") or {})
    rootdir = Path(str(first.facts.get("rootdir") or config.root))
    pending = {t: n for t, n in nodeids.items() if t not in known and first.report is not None
               and t in first.report.failed}
    for attempt in range(1, gate.reruns + 1):
        if not pending:
            return
        targets = [_target(rootdir, n) for n in pending.values()]
        again = run_tier(config, gate, records, f"{name}-rerun{attempt}",
                         Watch(known=frozenset(), stop_after=0), "0", targets=targets)
        passed = again.report.passed if again.report is not None else set()
        for test in [t for t in pending if t in passed]:
            why = first.report.failed.get(test, "") if first.report else ""
            ev.flaky[test] = f"failed ({why}), then passed on re-run {attempt}"
            del pending[test]


def _target(rootdir: Path, nodeid: str) -> str:
    path, sep, rest = nodeid.partition("::")
    return f"{rootdir / path}{sep}{rest}"
