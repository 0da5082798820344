"""Gate 3, imports: nothing fixable of the phase remains, every import the phase added resolves
(looked up in the project's environment), and sites left to a person block unless the phase
allows them. See gates/imports.py."""

from __future__ import annotations

from ..results import GateResult
from ..spec import GATES, GateRun, GateSpec, read_timeout, snapshot_sources


def run(run: GateRun, name: str) -> GateResult:
    from ..imports import imports_gate  # here: reading phases.toml does not need it

    return imports_gate(run.config, run.phase, run.changed, run.baseline.sources,
                        run.manual_sites, run.records / "imports.log")


SPEC = GATES.register(GateSpec(name="imports", order=30, keys=("timeout",),
                               read=read_timeout(600.0), run=run,
                               before=lambda run, name: snapshot_sources(run)))
