"""Gate 2, lint: ruff on the changed files shows no diagnostic that was not there before apply
(``select``: the codes that matter; ``command``: how to run ruff). See static.py."""

from __future__ import annotations

from .. import static as gates_static
from ..results import GateResult
from ..spec import GATES, GateRun, GateSpec, snapshot_sources


def before(run: GateRun, name: str) -> None:
    snapshot_sources(run)
    diags = gates_static.lint(run.config, list(run.changed), run.records / "lint-before.log")
    if isinstance(diags, str):
        run.baseline.lint_ok = False
        run.baseline.notes.append(f"lint before apply: {diags}")
    else:
        run.baseline.lint = gates_static.by_file(diags)


def run(run: GateRun, name: str) -> GateResult:
    before_apply = run.baseline.lint if run.baseline.lint_ok else {}
    return gates_static.lint_gate(run.config, run.changed, before_apply,
                                  run.records / "lint.log")


SPEC = GATES.register(GateSpec(name="lint", order=20, keys=gates_static.LINT_KEYS,
                               read=gates_static.read_lint, run=run, before=before))
