"""The safety ladder: the phase's gates in order (built-in ones by their registered order, then
the phase's command gates), each found through the gate registry (:mod:`.spec`).

``before_apply`` lets every gate that will run record what it compares against on the
untouched tree (lint diagnostics, import statements, each tier's baseline); ``run_ladder`` runs
the gates after apply and stops at the first failure unless ``keep_going``. Each gate returns a
:class:`GateResult`; none raises for a gate that merely fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config import Config, Phase
from ..progress import log
from .results import Baseline, GateResult, LadderResult, TierBaseline
from .spec import GateRun, check_only, resolve

__all__ = ["Baseline", "GateResult", "LadderResult", "TierBaseline", "before_apply",
           "format_ladder", "run_ladder"]


def _gates(config: Config, phase: Phase, only: Sequence[str] | None) -> list[str]:
    wanted = check_only(config, only) if only is not None else None
    return [g for g in phase.gates if wanted is None or g in wanted]


def before_apply(config: Config, phase: Phase, records_dir: Path, *,
                 changed: Sequence[str] | None = None, all_tests: bool = False,
                 only: Sequence[str] | None = None) -> Baseline:
    """Record the pre-phase state the gates compare against; run on the untouched tree.

    ``changed`` (the plan's files) is what the snapshot and the unit baseline are narrowed to;
    without it nothing is snapshotted and the tiers' baselines cover them whole.
    Pass the same ``all_tests`` as to :func:`run_ladder`: a baseline recorded on the affected
    tests only knows nothing of the others, whose failures then all count as new. ``only``
    (as ``--gates``) skips what the gates that will not run would need.
    """
    records_dir.mkdir(parents=True, exist_ok=True)
    base = Baseline()
    run = GateRun(config, phase, list(changed or ()), base, records_dir,
                  all_tests or changed is None)
    for name in _gates(config, phase, only):
        spec = resolve(config, name)
        if spec.before is not None:
            spec.before(run, name)
    return base


def run_ladder(config: Config, phase: Phase, changed: list[str], *, baseline: Baseline,
               records_dir: Path, only: Sequence[str] | None = None, keep_going: bool = False,
               all_tests: bool = False, manual_sites: Sequence[object] = ()) -> LadderResult:
    """Run the phase's gates in ladder order on the applied tree."""
    names = _gates(config, phase, only)
    records_dir.mkdir(parents=True, exist_ok=True)
    run = GateRun(config, phase, changed, baseline, records_dir, all_tests, manual_sites)
    result = LadderResult()
    for name in names:
        log(f"gate {name}: running")  # the results are the caller's to print
        gate_result = resolve(config, name).run(run, name)
        result.results.append(gate_result)
        if not gate_result.passed and not keep_going:
            break
    return result


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
