"""Command gates: ``[gates.<name>] command = ["mypy", "src"]`` declares a gate of the project's
own, which phases list after the built-in gates.

The command is an argv (no shell), run from the root with ``env`` on top of the caller's
environment, in its own process group, killed with its children at ``timeout``. It passes when
it exits 0. With ``baseline = true`` it also runs on the untouched tree before apply, and after
apply only output lines that were not there before count (numbers in them ignored, so a
diagnostic that merely moved is not new), like the lint gate: a project whose type checker
already reports errors can still gate on "no new ones".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config.model import GateSettings
from ..config.problems import Problems, as_bool, as_env, as_number, as_strlist
from . import runner as gates_runner
from .results import GateResult
from .spec import COMMAND_ORDER, GateRun, GateSpec
from .static import cap
from .tiers import base_env

FIRST_LINES = 15
_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class CommandSettings(GateSettings):
    """``[gates.<name>]`` of a command gate."""

    command: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    baseline: bool = False

    @property
    def command_gate(self) -> bool:
        return True


def read(p: Problems, body: Mapping[str, Any], key: str, name: str) -> CommandSettings:
    command = as_strlist(p, body.get("command"), f"{key}.command")
    if not command:
        p.add(f"{key}.command", "must be a non-empty list: the program and its arguments")
    return CommandSettings(
        name=name, command=command, env=as_env(p, body.get("env"), f"{key}.env"),
        timeout=as_number(p, body.get("timeout"), f"{key}.timeout", 600.0,
                          what="a positive number of seconds"),
        baseline=as_bool(p, body.get("baseline"), f"{key}.baseline", False))


def _settings(run: GateRun, name: str) -> CommandSettings:
    settings = run.config.gate(name)
    if not isinstance(settings, CommandSettings):
        raise TypeError(f"gate {name} is not a command gate")
    return settings


def _run(run: GateRun, name: str, stem: str) -> gates_runner.Outcome:
    settings = _settings(run, name)
    return gates_runner.run(settings.command, cwd=run.config.root, timeout=settings.timeout,
                            log=run.records / f"{stem}.log",
                            env={**base_env(), **dict(settings.env)})


def before(run: GateRun, name: str) -> None:
    if _settings(run, name).baseline:
        out = _run(run, name, f"{name}-before")
        run.baseline.commands[name] = _lines(out.text())


def run_gate(run: GateRun, name: str) -> GateResult:
    settings = _settings(run, name)
    out = _run(run, name, name)
    shown = " ".join(settings.command)
    if out.timed_out:
        return GateResult(name, False, out.duration, f"`{shown}` timed out after"
                          f" {settings.timeout:g}s", _lines(out.text())[:FIRST_LINES],
                          str(out.log))
    if out.returncode == 0:
        return GateResult(name, True, out.duration, f"`{shown}` exited 0", [], str(out.log))
    lines = _lines(out.text())
    before_lines = run.baseline.commands.get(name)
    if before_lines is None:
        return GateResult(name, False, out.duration, f"`{shown}` exited {out.returncode}",
                          cap(lines[:FIRST_LINES]), str(out.log))
    fresh = _new_lines(before_lines, lines)
    summary = (f"`{shown}` exited {out.returncode}: {len(fresh)} new output line(s) since"
               " before the phase")
    return GateResult(name, not fresh, out.duration, summary, cap(fresh[:FIRST_LINES]),
                      str(out.log))


def _lines(text: str) -> list[str]:
    return [ln.rstrip() for ln in text.splitlines() if ln.strip()]


def _new_lines(before: list[str], after: list[str]) -> list[str]:
    """Lines of ``after`` beyond those of ``before``, compared with their numbers blanked."""
    budget = Counter(_NUMBERS.sub("#", ln) for ln in before)
    fresh = []
    for line in after:
        key = _NUMBERS.sub("#", line)
        if budget[key] > 0:
            budget[key] -= 1
        else:
            fresh.append(line)
    return fresh


COMMAND = GateSpec(name="command", order=COMMAND_ORDER,
                   keys=("command", "timeout", "env", "baseline"), read=read, run=run_gate,
                   before=before)
