"""Gate 1, syntax: every changed Python file compiles for ``project.python`` (see static.py)."""

from __future__ import annotations

from ..results import GateResult
from ..spec import GATES, GateRun, GateSpec
from ..static import read_syntax, syntax_gate


def run(run: GateRun, name: str) -> GateResult:
    return syntax_gate(run.config, run.changed, run.records / "syntax.log")


SPEC = GATES.register(GateSpec(name="syntax", order=10, keys=("timeout", "python"),
                               read=read_syntax, run=run))
